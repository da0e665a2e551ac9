// A simulated cluster of the real shell: RaftRuntime with NodeStorage on simulated disks, virtual timers,
// and the same faulty network and safety checks as the pure-core simulator.
import { EventLog } from '../../src/node/event-log.js';
import { RaftRuntime } from '../../src/node/raft-runtime.js';
import { FaultInjectingFs, NodeStorage, type FsyncPolicy } from '../../src/node/storage/index.js';
import type { ElectionMode, Entry, Message, NodeId } from '../../src/raft/index.js';
import { SafetyChecker } from './invariants.js';
import { describeMessage, type NetworkFaults } from './cluster.js';
import { Prng } from './prng.js';
import { SimDisk } from './sim-disk.js';
import { VirtualScheduler } from './virtual-time.js';

export const TICK_MS = 10;
export const ELECTION_TICKS = 10;

export interface RuntimeNode {
  id: NodeId;
  mode: ElectionMode;
  voters: NodeId[];
  /** `always`: a crash is a power cut (unsynced data may go); `never`: a process kill (the page cache stays). */
  fsync: FsyncPolicy;
  disk: SimDisk;
  /** Wraps the disk of the running incarnation, for injected write and fsync errors. */
  faults: FaultInjectingFs | null;
  runtime: RaftRuntime | null;
  /** Running or starting (opening its storage). */
  up: boolean;
  /** The running incarnation: its timers and disk calls die with it. */
  incarnation: object;
  random: Prng;
  compactEvery: number;
  /** Entries up to this index were checked as committed. */
  checkedCommit: number;
}

export class RuntimeCluster {
  readonly scheduler = new VirtualScheduler();
  readonly nodes = new Map<NodeId, RuntimeNode>();
  readonly rng: Prng;
  readonly checker: SafetyChecker;
  readonly trace: string[] | null;
  faults: NetworkFaults = { drop: 0, duplicate: 0, maxDelay: 0, reorder: true };
  readonly cut = new Set<string>();
  /** The highest term each member put on a message: it must still hold it after any crash. */
  readonly #sentTerm = new Map<NodeId, number>();
  /** Applied digests by index: members at the same index must agree. */
  readonly #digests = new Map<number, { id: NodeId; digest: string }>();
  #proposals = 0;

  constructor(seed: number, trace: boolean) {
    this.rng = new Prng(seed);
    this.trace = trace ? [] : null;
    this.checker = new SafetyChecker(() => `t=${this.scheduler.now}ms`);
  }

  log(line: string): void {
    this.trace?.push(`t=${this.scheduler.now} ${line}`);
  }

  violation(what: string): void {
    // As many as the checker keeps of its own: a broken schedule reports its first few, not thousands.
    if (this.checker.violations.length < 20) this.checker.violations.push(`t=${this.scheduler.now}ms: ${what}`);
  }

  addNode(id: NodeId, opts: { voters: NodeId[]; mode: ElectionMode; fsync: FsyncPolicy; compactEvery: number }): void {
    const node: RuntimeNode = {
      id,
      mode: opts.mode,
      voters: opts.voters,
      fsync: opts.fsync,
      disk: new SimDisk(this.scheduler, this.rng.fork()),
      faults: null,
      runtime: null,
      up: false,
      incarnation: {},
      random: this.rng.fork(),
      compactEvery: opts.compactEvery,
      checkedCommit: 0,
    };
    this.nodes.set(id, node);
    this.#start(node);
  }

  live(): RuntimeNode[] {
    return [...this.nodes.values()].filter((n) => n.runtime !== null);
  }

  /**
   * Opens the node's storage as a restarted process would (in virtual time: a slow disk makes it
   * take a while, and a crash meanwhile abandons it), then starts a runtime on what it recovered.
   */
  #start(node: RuntimeNode): void {
    const incarnation = {};
    node.incarnation = incarnation;
    node.up = true;
    node.faults = new FaultInjectingFs(node.disk.attach(incarnation));
    const options = { dir: `/sim/${node.id}`, self: node.id, fsync: node.fsync, fs: node.faults, lockDir: async () => ({ release: async () => undefined }) };
    NodeStorage.open(options).then(
      (opened) => {
        if (node.incarnation === incarnation) this.#run(node, incarnation, opened);
      },
      (err: unknown) => {
        if (node.incarnation !== incarnation) return;
        // A disk error injected while the member recovers (a failed fsync cutting a torn tail) makes a
        // real process exit at start-up, which is right: it stays down until it is restarted. Any other
        // failure to open what the member itself wrote is a violation.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EIO' || code === 'ENOSPC') {
          this.log(`${node.id} exited at start-up on a disk error: ${(err as Error).message}`);
          node.up = false;
          node.runtime = null;
          node.faults = null;
          return;
        }
        this.violation(`${node.id} cannot restart from its data dir: ${(err as Error).message}`);
      },
    );
  }

  #run(node: RuntimeNode, incarnation: object, { storage, recovered }: Awaited<ReturnType<typeof NodeStorage.open>>): void {
    const sent = this.#sentTerm.get(node.id) ?? 0;
    if (recovered.hardState.term < sent) {
      this.violation(`${node.id} restarted in term ${recovered.hardState.term} after sending messages of term ${sent}: its term was not durable`);
    }
    const runtime = new RaftRuntime({
      self: node.id,
      voters: node.voters,
      electionMode: node.mode,
      tickMs: TICK_MS,
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: 1,
      compactEvery: node.compactEvery,
      requestTimeoutMs: 40 * TICK_MS,
      storage,
      recovered,
      log: new EventLog(node.id, (line) => this.trace?.push(`t=${this.scheduler.now} ${line.slice(25).trimEnd()}`)),
      send: (m) => this.#send(node, incarnation, m),
      clock: this.scheduler.clock(incarnation),
      random: () => node.random.next(),
    });
    node.runtime = runtime;
    node.checkedCommit = runtime.raft.softState().snapshotIndex;
    this.log(`${node.id} started: term ${recovered.hardState.term}, ${recovered.entries.length} entries${recovered.notices.length ? `, ${recovered.notices.join('; ')}` : ''}`);
    runtime.start();
  }

  crash(id: NodeId): void {
    const node = this.nodes.get(id)!;
    if (!node.up) return;
    const kind = node.fsync === 'always' ? 'power' : 'process';
    this.log(`crash ${id} (${kind})`);
    this.scheduler.cancelOwner(node.incarnation);
    node.disk.crash(kind);
    node.up = false;
    node.runtime = null;
    node.faults = null;
  }

  restart(id: NodeId): void {
    const node = this.nodes.get(id)!;
    if (node.up) return;
    this.log(`restart ${id}`);
    this.#start(node);
  }

  restartAll(): void {
    this.log('restart-all');
    for (const n of this.nodes.values()) this.crash(n.id);
    for (const n of this.nodes.values()) this.#start(n);
  }

  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    this.log(`partition [${a.join(' ')}] | [${b.join(' ')}]`);
    for (const x of a) for (const y of b) this.cut.add(`${x}|${y}`).add(`${y}|${x}`);
  }

  heal(): void {
    this.log('heal');
    this.cut.clear();
  }

  #send(node: RuntimeNode, incarnation: object, m: Message): void {
    if (node.incarnation !== incarnation) return;
    if (m.type !== 'preVote' && m.type !== 'preVoteResp') this.#sentTerm.set(node.id, Math.max(this.#sentTerm.get(node.id) ?? 0, m.term));
    if (m.type === 'voteResp' && !m.reject) this.checker.granted(m.from, m.term, m.to);
    const copies = this.faults.duplicate > 0 && this.rng.chance(this.faults.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = 1 + this.rng.int(this.faults.maxDelay * TICK_MS + 1);
      this.scheduler.at(this.scheduler.now + delay, () => this.#deliver(m));
    }
  }

  #deliver(m: Message): void {
    const target = this.nodes.get(m.to)?.runtime;
    if (!target || this.cut.has(`${m.from}|${m.to}`) || (this.faults.drop > 0 && this.rng.chance(this.faults.drop))) {
      if (this.trace) this.log(`lost ${describeMessage(m)}`);
      return;
    }
    if (this.trace) this.log(`deliver ${describeMessage(m)}`);
    try {
      target.step(m);
    } catch (err) {
      this.violation(`${m.to} threw on ${describeMessage(m)}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /** A client write through the runtime; an acknowledged one must stay committed at its index. */
  propose(id: NodeId, text?: string): { done: boolean; ok: boolean } {
    const runtime = this.nodes.get(id)?.runtime;
    const state = { done: false, ok: false };
    if (!runtime) return state;
    const data = text ?? `cmd-${++this.#proposals}`;
    this.log(`propose ${id} ${data}`);
    void runtime.propose(new TextEncoder().encode(data)).then((outcome) => {
      state.done = true;
      state.ok = outcome.ok;
      if (outcome.ok) this.checker.acknowledgedAt(id, outcome.index, `command:${data}`);
    });
    return state;
  }

  /** The leader with the highest term, if any. */
  leader(): NodeId | null {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const n of this.live()) {
      const s = n.runtime!.raft.softState();
      if (s.role === 'leader' && s.term > bestTerm) [best, bestTerm] = [n.id, s.term];
    }
    return best;
  }

  /** Runs virtual time forward, checking the invariants after every event. */
  run(ms: number): Promise<void> {
    return this.scheduler.runUntil(this.scheduler.now + ms, () => this.check());
  }

  /** One leader per term, leader completeness, committed entries agree, applied states agree. */
  check(): void {
    for (const n of this.live()) {
      const raft = n.runtime!.raft;
      const s = raft.softState();
      if (s.commit > n.checkedCommit) {
        const from = Math.max(n.checkedCommit, s.snapshotIndex) + 1;
        for (const e of raft.entries(from, s.commit + 1)) this.checker.applied(n.id, e);
        n.checkedCommit = s.commit;
      }
      if (s.role === 'leader') this.checker.leader(n.id, s.term, (i) => raft.entries(i, i + 1)[0]?.term, s.snapshotIndex);
      const kv = n.runtime!.kv;
      const seen = this.#digests.get(kv.lastApplied);
      if (seen === undefined) this.#digests.set(kv.lastApplied, { id: n.id, digest: kv.digestHex });
      else if (seen.digest !== kv.digestHex) this.violation(`${n.id} and ${seen.id} applied different states up to ${kv.lastApplied}`);
    }
  }

  /** Log Matching over every live member's whole log: one (index, term) is one entry with one history. */
  checkLogs(): void {
    for (const n of this.live()) {
      const raft = n.runtime!.raft;
      const s = raft.softState();
      const entries: Entry[] = raft.entries(s.snapshotIndex + 1, s.lastIndex + 1);
      if (entries.length > 1) this.checker.persisted(n.id, entries.slice(1), entries[0]!.term);
    }
  }
}
