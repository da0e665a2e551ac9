// A simulated cluster: RaftNodes with in-memory disks and state machines, joined by a faulty virtual network.
import {
  RaftNode,
  type ElectionMode,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type RaftResult,
  type Ready,
  type Snapshot,
} from '../../src/raft/index.js';
import { entryKey, SafetyChecker } from './invariants.js';
import { Prng } from './prng.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What survives a crash: exactly what the Readies told us to persist. */
export interface Disk {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | null;
}

/** The replicated state machine: a hash chain over applied commands, so divergence shows up. */
interface StateMachine {
  applied: number;
  hash: number;
  commands: number;
}

export interface SimNode {
  id: NodeId;
  mode: ElectionMode;
  supportedCodeVersion: number;
  /** null while crashed. */
  raft: RaftNode | null;
  disk: Disk;
  sm: StateMachine;
  random: Prng;
  /** Results the shell handed out, oldest first. */
  results: RaftResult[];
  readStates: { requestId: string | number; index: number }[];
  /** Fault injection: the next persist fails. */
  failNextPersist: boolean;
  /** A Ready whose write is still in progress (slow disk); lost if the node crashes. */
  parked: Ready | null;
  initialVoters: NodeId[];
}

export interface InFlight {
  msg: Message;
  deliverAt: number;
  seq: number;
}

export interface NetworkFaults {
  drop: number;
  duplicate: number;
  /** Extra delivery delay in ticks, uniform in [0, maxDelay]. */
  maxDelay: number;
  /** Deliver what is due in random order rather than in sending order. */
  reorder: boolean;
}

export interface ClusterOptions {
  seed: number;
  electionTicks?: number;
  maxInflight?: number;
  maxBatchBytes?: number;
  maxHeldProposals?: number;
  /** Keep a human-readable trace of everything that happens (for replays). */
  trace?: boolean;
  /** Emulates PySyncObj before issue 201: term and vote are not restored on restart (only the commit index). */
  forgetTermOnRestart?: boolean;
}

const NO_FAULTS: NetworkFaults = { drop: 0, duplicate: 0, maxDelay: 0, reorder: false };

function hashStep(hash: number, text: string): number {
  let h = hash ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} t${m.term}`;
  if ('index' in m) s += ` i${m.index}`;
  if ('logTerm' in m && m.logTerm !== undefined) s += ` lt${m.logTerm}`;
  if ('entries' in m && m.entries.length > 0) s += ` e[${m.entries.map((e) => `${e.index}/${e.term}`).join(',')}]`;
  if ('commit' in m) s += ` c${m.commit}`;
  if ('reject' in m && m.reject) s += ' reject';
  if ('forced' in m && m.forced) s += ' forced';
  if ('snapshot' in m) s += ` snap${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
  if ('requestId' in m) s += ` req=${m.requestId}`;
  return s;
}

export class Cluster {
  readonly nodes = new Map<NodeId, SimNode>();
  readonly rng: Prng;
  readonly checker: SafetyChecker;
  readonly trace: string[] | null;
  now = 0;
  faults: NetworkFaults = { ...NO_FAULTS };
  /** Pairs "a|b" that cannot talk (both directions are listed). */
  readonly cut = new Set<string>();
  private inflight: InFlight[] = [];
  private seq = 0;
  private readonly electionTicks: number;
  private readonly options: ClusterOptions;
  /** Counts of what happened, to show which paths a run exercised. */
  readonly stats = new Map<string, number>();
  /** Fault injection: each Ready is lost before it is persisted (crash) with this probability. */
  crashBeforePersist = 0;
  /** Each Ready's messages are lost after it is persisted (crash before sending) with this probability. */
  crashBeforeSend = 0;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.rng = new Prng(options.seed);
    this.electionTicks = options.electionTicks ?? 10;
    this.trace = options.trace ? [] : null;
    this.checker = new SafetyChecker(() => `t=${this.now}`);
  }

  count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1);
  }

  log(line: string): void {
    this.trace?.push(`t=${this.now} ${line}`);
  }

  // ---- membership of the simulation ------------------------------------------------------------

  addNode(id: NodeId, opts: { mode?: ElectionMode; voters: NodeId[]; supportedCodeVersion?: number }): SimNode {
    const node: SimNode = {
      id,
      mode: opts.mode ?? 'candidate',
      supportedCodeVersion: opts.supportedCodeVersion ?? 0,
      raft: null,
      disk: { hardState: { term: 0, vote: null, commit: 0 }, entries: [], snapshot: null },
      sm: { applied: 0, hash: 0, commands: 0 },
      random: this.rng.fork(),
      results: [],
      readStates: [],
      failNextPersist: false,
      parked: null,
      initialVoters: [...opts.voters],
    };
    this.nodes.set(id, node);
    this.start(node);
    return node;
  }

  private start(node: SimNode): void {
    const snapshot = node.disk.snapshot;
    node.sm = snapshot ? decodeStateMachine(snapshot.data) : { applied: 0, hash: 0, commands: 0 };
    node.raft = new RaftNode({
      id: node.id,
      voters: node.initialVoters,
      electionMode: node.mode,
      electionTicks: this.electionTicks,
      heartbeatTicks: 1,
      random: () => node.random.next(),
      maxInflight: this.options.maxInflight ?? 4,
      maxBatchBytes: this.options.maxBatchBytes ?? 64,
      maxHeldProposals: this.options.maxHeldProposals ?? 16,
      supportedCodeVersion: node.supportedCodeVersion,
      hardState: this.options.forgetTermOnRestart
        ? { term: 0, vote: null, commit: node.disk.hardState.commit }
        : { ...node.disk.hardState },
      entries: [...node.disk.entries],
      snapshot,
    });
    this.process(node.id);
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  raft(id: NodeId): RaftNode {
    const r = this.node(id).raft;
    if (!r) throw new Error(`${id} is down`);
    return r;
  }

  live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.raft !== null);
  }

  // ---- faults --------------------------------------------------------------------------------------

  /** Loses everything not durable: memory, the state machine, and (in the shell) nothing else. */
  crash(id: NodeId): void {
    const node = this.node(id);
    if (!node.raft) return;
    this.log(`crash ${id}`);
    node.raft = null;
    node.parked = null;
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    if (node.raft) return;
    this.log(`restart ${id}`);
    this.start(node);
  }

  /** Every member down at once, then up again (PySyncObj issue 201). */
  restartAll(): void {
    this.log('restart-all');
    for (const n of this.nodes.values()) {
      n.raft = null;
      n.parked = null;
    }
    for (const n of this.nodes.values()) this.start(n);
  }

  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    this.log(`partition [${a.join(' ')}] | [${b.join(' ')}]`);
    for (const x of a) for (const y of b) this.cut.add(`${x}|${y}`).add(`${y}|${x}`);
  }

  isolate(id: NodeId): void {
    this.partition([id], [...this.nodes.keys()].filter((x) => x !== id));
  }

  heal(): void {
    this.log('heal');
    this.cut.clear();
  }

  // ---- the shell: Ready handling ----------------------------------------------------------------

  /** Drains the node's Readies: persist, then send, then apply, then advance. */
  process(id: NodeId): void {
    const node = this.node(id);
    for (let rounds = 0; rounds < 1000; rounds++) {
      const raft = node.raft;
      if (!raft || node.parked) return;
      const rd = raft.ready();
      if (!rd) return;
      if (this.parkReadies > 0 && this.rng.chance(this.parkReadies)) {
        // A slow disk: the write is in progress while messages keep arriving.
        node.parked = rd;
        return;
      }
      if (!this.complete(node, raft, rd)) return;
    }
    throw new Error(`${id} produced Readies forever`);
  }

  /** Persists, sends, applies and advances one Ready; false when the node crashed on the way. */
  private complete(node: SimNode, raft: RaftNode, rd: Ready): boolean {
    if (this.crashBeforePersist > 0 && this.rng.chance(this.crashBeforePersist)) {
      this.crash(node.id);
      return false;
    }
    if (node.failNextPersist) {
      node.failNextPersist = false;
      this.log(`${node.id} storage failure`);
      raft.reportStorageFailure(new Error('injected write error'));
      return true;
    }
    this.persist(node, rd);
    if (this.crashBeforeSend > 0 && this.rng.chance(this.crashBeforeSend)) {
      this.crash(node.id);
      return false;
    }
    for (const m of rd.messages) this.send(m);
    this.apply(node, rd);
    raft.advance(rd);
    const soft = raft.softState();
    if (soft.role === 'leader') {
      this.checker.leader(node.id, soft.term, (i) => raft.entries(i, i + 1)[0]?.term, soft.snapshotIndex);
    }
    return true;
  }

  /** Finishes the parked (slow) writes of every node, each with probability `chance`. */
  finishParked(chance = 1): void {
    for (const node of this.nodes.values()) {
      const rd = node.parked;
      if (!rd || !node.raft || !(chance >= 1 || this.rng.chance(chance))) continue;
      node.parked = null;
      if (this.complete(node, node.raft, rd)) this.process(node.id);
    }
  }

  private persist(node: SimNode, rd: Ready): void {
    const disk = node.disk;
    if (rd.snapshot) {
      disk.snapshot = rd.snapshot;
      // A snapshot from the leader replaces the whole log.
      disk.entries = [];
      this.log(`${node.id} persist snapshot ${rd.snapshot.meta.index}/${rd.snapshot.meta.term}`);
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      const base = disk.snapshot?.meta.index ?? 0;
      // Truncate from `first`: disk entries are contiguous from base + 1.
      if (first - base - 1 < disk.entries.length) disk.entries.length = Math.max(0, first - base - 1);
      const expected = base + disk.entries.length + 1;
      if (first !== expected) this.checker.violations.push(`t=${this.now}: ${node.id} was told to append at ${first}, its disk ends at ${expected - 1}`);
      const prev = disk.entries[disk.entries.length - 1]?.term ?? disk.snapshot?.meta.term ?? 0;
      this.checker.persisted(node.id, rd.entries, prev);
      disk.entries.push(...rd.entries);
    }
    if (rd.hardState) {
      if (rd.hardState.term < disk.hardState.term && !this.options.forgetTermOnRestart) this.checker.violations.push(`t=${this.now}: ${node.id} term went back`);
      if (rd.hardState.commit < disk.hardState.commit) this.checker.violations.push(`t=${this.now}: ${node.id} durable commit went back`);
      disk.hardState = { ...rd.hardState };
    }
  }

  private apply(node: SimNode, rd: Ready): void {
    if (rd.snapshot) node.sm = decodeStateMachine(rd.snapshot.data);
    for (const e of rd.committed) {
      if (e.index !== node.sm.applied + 1) {
        this.checker.violations.push(`t=${this.now}: ${node.id} applies ${e.index} after ${node.sm.applied}`);
      }
      this.checker.applied(node.id, e);
      node.sm.applied = e.index;
      if (e.kind === 'command') {
        node.sm.hash = hashStep(node.sm.hash, decoder.decode(e.data));
        node.sm.commands++;
      }
    }
    for (const r of rd.results) {
      node.results.push(r);
      this.count(`result:${r.type}:${'ok' in r ? (r.ok ? 'ok' : 'failed') : 'reported'}`);
      if (this.trace) this.log(`${node.id} result ${JSON.stringify(r)}`);
      if (r.type === 'proposal' && r.ok) {
        const data = this.proposals.get(r.requestId);
        if (data !== undefined) this.checker.acknowledgedAt(node.id, r.index, `command:${data}`);
      }
    }
    node.readStates.push(...rd.readStates);
  }

  /** Takes a snapshot of the node's state machine and compacts its log. */
  compact(id: NodeId): boolean {
    const node = this.node(id);
    const raft = node.raft;
    // A shell compacts between Readies, never while one is being written.
    if (!raft || node.parked || node.sm.applied <= raft.softState().snapshotIndex) return false;
    const snapshot = raft.compact(node.sm.applied, encodeStateMachine(node.sm));
    this.log(`${id} compact ${snapshot.meta.index}`);
    node.disk.snapshot = snapshot;
    node.disk.entries = node.disk.entries.filter((e) => e.index > snapshot.meta.index);
    return true;
  }

  // ---- network -------------------------------------------------------------------------------------

  private send(m: Message): void {
    if (m.type === 'voteResp' && !m.reject) this.checker.granted(m.from, m.term, m.to);
    const copies = this.faults.duplicate > 0 && this.rng.chance(this.faults.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faults.maxDelay > 0 ? this.rng.int(this.faults.maxDelay + 1) : 0;
      this.inflight.push({ msg: m, deliverAt: this.now + delay, seq: this.seq++ });
    }
  }

  pending(): readonly InFlight[] {
    return this.inflight;
  }

  /** Delivers one in-flight message (if the link is up and the receiver alive), then runs the receiver's Readies. */
  private deliverOne(f: InFlight): void {
    const m = f.msg;
    const target = this.nodes.get(m.to);
    if (!target?.raft || this.cut.has(`${m.from}|${m.to}`)) {
      if (this.trace) this.log(`lost ${describeMessage(m)}`);
      return;
    }
    if (this.faults.drop > 0 && this.rng.chance(this.faults.drop)) {
      if (this.trace) this.log(`drop ${describeMessage(m)}`);
      return;
    }
    if (this.trace) this.log(`deliver ${describeMessage(m)}`);
    this.count(`msg:${m.type}`);
    target.raft.step(m);
    this.process(m.to);
  }

  /** Delivers every message due by now (reordered if the faults say so); returns how many were due. */
  deliverDue(): number {
    const due = this.inflight.filter((f) => f.deliverAt <= this.now);
    if (due.length === 0) return 0;
    this.inflight = this.inflight.filter((f) => f.deliverAt > this.now);
    for (const f of this.faults.reorder ? this.rng.shuffle(due) : due) this.deliverOne(f);
    return due.length;
  }

  /** Delivers, in order, the queued messages that match (all by default); returns their descriptions. */
  deliver(match: (m: Message) => boolean = () => true): string[] {
    const chosen = this.inflight.filter((f) => match(f.msg));
    this.inflight = this.inflight.filter((f) => !match(f.msg));
    for (const f of chosen) this.deliverOne(f);
    return chosen.map((f) => describeMessage(f.msg));
  }

  /** Drops the queued messages that match; returns their descriptions. */
  dropWhere(match: (m: Message) => boolean): string[] {
    const chosen = this.inflight.filter((f) => match(f.msg));
    this.inflight = this.inflight.filter((f) => !match(f.msg));
    return chosen.map((f) => describeMessage(f.msg));
  }

  /** Delivers until the network is quiet (without ticking). */
  stabilize(maxRounds = 100): void {
    for (let i = 0; i < maxRounds && this.inflight.length > 0; i++) this.deliver();
  }

  // ---- time and clients ----------------------------------------------------------------------------

  tick(id: NodeId): void {
    const raft = this.node(id).raft;
    if (!raft) return;
    raft.tick();
    this.process(id);
  }

  /** Clock drift: the chance that a node misses a tick. */
  missedTicks = 0;
  /** Slow disks: the chance that a Ready's write stays in progress until a later tick. */
  parkReadies = 0;

  /** One tick of virtual time: every live node ticks (unless its clock drifts), then due messages arrive. */
  step(): void {
    this.now++;
    this.finishParked(0.5);
    for (const n of this.live()) {
      if (this.missedTicks > 0 && this.rng.chance(this.missedTicks)) continue;
      this.tick(n.id);
    }
    this.deliverDue();
  }

  /** Data of every proposal made through the cluster, by request id. */
  readonly proposals = new Map<string | number, string>();
  private proposalCount = 0;

  propose(id: NodeId, text?: string): string {
    const data = text ?? `cmd-${++this.proposalCount}`;
    const requestId = `${id}/${data}`;
    this.proposals.set(requestId, data);
    this.log(`propose ${id} ${data}`);
    this.on(id, (raft) => raft.propose(encoder.encode(data), requestId));
    return requestId;
  }

  /** Runs `fn` on a live node's RaftNode and drains its Readies. */
  on(id: NodeId, fn: (raft: RaftNode) => void): void {
    const raft = this.node(id).raft;
    if (!raft) return this.log(`${id} is down, request not made`);
    fn(raft);
    this.process(id);
  }

  leaders(): NodeId[] {
    return this.live()
      .filter((n) => n.raft!.softState().role === 'leader')
      .map((n) => n.id);
  }

  /** The leader with the highest term, if any. */
  leader(): NodeId | null {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const n of this.live()) {
      const s = n.raft!.softState();
      if (s.role === 'leader' && s.term > bestTerm) {
        best = n.id;
        bestTerm = s.term;
      }
    }
    return best;
  }

  result(id: NodeId, requestId: string | number | null, type?: RaftResult['type']): RaftResult | undefined {
    return this.node(id).results.find((r) => (type === undefined || r.type === type) && 'requestId' in r && r.requestId === requestId);
  }

  /** One line per node: what `state` prints in scenario scripts. */
  state(): string {
    return [...this.nodes.values()]
      .map((n) => {
        if (!n.raft) return `${n.id}: down`;
        const s = n.raft.status();
        const t = s.transfer ? ` transfer->${s.transfer.target}(${s.transfer.phase})` : '';
        return `${n.id}: ${s.role} term=${s.term} vote=${s.vote ?? '-'} leader=${s.leader ?? '-'} commit=${s.commit} applied=${n.sm.applied} last=${s.lastIndex} voters=[${s.voters.join(' ')}]${s.learners.length ? ` learners=[${s.learners.join(' ')}]` : ''} mode=${s.electionMode}${s.enabledCodeVersion > 0 ? ` version=${s.enabledCodeVersion}` : ''}${t}`;
      })
      .join('\n');
  }
}

function encodeStateMachine(sm: StateMachine): Uint8Array {
  return encoder.encode(JSON.stringify(sm));
}

function decodeStateMachine(data: Uint8Array): StateMachine {
  return { ...(JSON.parse(decoder.decode(data)) as StateMachine) };
}

export { entryKey };
