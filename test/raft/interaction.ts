// Runs scenario scripts against a simulated cluster and renders what happened, etcd interaction-env style.
import type { ElectionMode, Message, NodeId, RaftResult } from '../../src/raft/index.js';
import { ELECTION_JITTER } from '../../src/raft/timeouts.js';
import { Cluster } from '../sim/cluster.js';

/**
 * A script is a sequence of blocks:
 *
 *   # why this step matters
 *   command arg key=value
 *   ----
 *   expected output
 *   <blank line>
 *
 * Commands: add-nodes, add-node, elect, campaign, set-mode, tick, run, deliver, drop, stabilize, pending, partition, isolate,
 * heal, crash, restart, restart-all, propose, transfer, conf-change, set-version, read, compact,
 * fail-storage, state, log, check. Every command also prints the results nodes handed out meanwhile.
 */
export interface Block {
  comments: string[];
  command: string;
  expected: string;
}

export function parseScript(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && (lines[i]!.startsWith('#') || lines[i]!.trim() === '')) {
      if (lines[i]!.startsWith('#')) comments.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) break;
    const command = lines[i++]!;
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    blocks.push({ comments, command, expected: out.join('\n') });
  }
  return blocks;
}

export function renderScript(blocks: readonly { comments: string[]; command: string; expected: string }[]): string {
  return blocks.map((b) => [...b.comments, b.command, '----', b.expected].join('\n')).join('\n\n') + '\n';
}

function describeResult(r: RaftResult): string {
  switch (r.type) {
    case 'proposal':
      return r.ok ? `proposal ${r.requestId} committed at ${r.index}` : `proposal ${r.requestId} failed: ${r.reason}`;
    case 'transfer':
      return r.ok ? `transfer ${r.requestId ?? '(internal)'} succeeded: ${r.leader} leads` : `transfer ${r.requestId ?? '(internal)'} failed: ${r.reason}`;
    case 'confChange':
      return r.ok ? `conf-change ${r.requestId} committed at ${r.index}` : `conf-change ${r.requestId} failed: ${r.reason}`;
    case 'version':
      return r.ok ? `version ${r.requestId} set to ${r.version} at ${r.index}` : `version ${r.requestId} refused: ${r.reason}`;
    case 'read':
      return `read ${r.requestId} failed: ${r.reason}`;
    case 'storageFailure':
      return `storage failure (${r.reason}), stepped down: ${r.steppedDown}`;
  }
}

function parseArgs(words: string[]): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) named.set(w.slice(0, eq), w.slice(eq + 1));
    else positional.push(w);
  }
  return { positional, named };
}

export class InteractionEnv {
  private cluster: Cluster | null = null;
  private readonly seenResults = new Map<NodeId, number>();
  private readonly seenReads = new Map<NodeId, number>();
  private readonly electionTicks = 10;

  private get c(): Cluster {
    if (!this.cluster) throw new Error('add-nodes first');
    return this.cluster;
  }

  /** Runs one command; an exception (such as the core refusing to break an invariant) is printed, not thrown. */
  run(command: string): string {
    try {
      return this.runCommand(command);
    } catch (err) {
      return [`error: ${(err as Error).message}`, ...this.newResults()].join('\n');
    }
  }

  private runCommand(command: string): string {
    const [name, ...rest] = command.trim().split(/\s+/);
    const { positional, named } = parseArgs(rest);
    const out: string[] = [];
    const matcher = (): ((m: Message) => boolean) => {
      const from = named.get('from');
      const to = named.get('to');
      const types = named.get('type')?.split(',');
      const notTo = named.get('not-to')?.split(',');
      return (m) =>
        (!from || m.from === from) && (!to || m.to === to) && (!types || types.includes(m.type)) && (!notTo || !notTo.includes(m.to));
    };
    switch (name) {
      case 'add-nodes': {
        const count = Number(positional[0]);
        const modes = (named.get('modes')?.split(',') ?? []) as ElectionMode[];
        const versions = named.get('versions')?.split(',').map(Number) ?? [];
        this.cluster ??= new Cluster({
          seed: Number(named.get('seed') ?? 1),
          electionTicks: this.electionTicks,
          forgetTermOnRestart: named.get('forget-term') === 'true',
          maxBatchBytes: Number(named.get('batch-bytes') ?? 64),
        });
        const start = this.c.nodes.size;
        const ids = Array.from({ length: count }, (_, i) => `n${start + i + 1}`);
        ids.forEach((id, i) => this.c.addNode(id, { voters: ids, mode: modes[i] ?? 'candidate', supportedCodeVersion: versions[i] ?? 0 }));
        out.push(`added ${ids.join(' ')}`);
        break;
      }
      case 'add-node': {
        // A server that will join an existing cluster: empty storage, no initial configuration.
        const id = positional[0]!;
        this.c.addNode(id, { voters: [], mode: (named.get('mode') as ElectionMode | undefined) ?? 'candidate', supportedCodeVersion: Number(named.get('version') ?? 0) });
        out.push(`added ${id} (joining)`);
        break;
      }
      case 'elect': {
        // Tick one node until it campaigns (at the latest after its randomized timeout), then let the network settle.
        const id = positional[0]!;
        for (let i = 0; i < (1 + ELECTION_JITTER) * this.electionTicks && this.c.raft(id).softState().role === 'follower'; i++) this.c.tick(id);
        // settle=false leaves the campaign's messages in flight, for scripts that deliver them by hand.
        if (named.get('settle') !== 'false') this.c.stabilize();
        const s = this.c.raft(id).softState();
        out.push(`${id} is ${s.role} in term ${s.term}`);
        break;
      }
      case 'campaign': {
        // An operator's promote: the way a `manual` member leads without a transfer.
        const id = positional[0]!;
        let outcome = '';
        this.c.on(id, (raft) => {
          const r = raft.campaign();
          outcome = r.ok ? `${id} campaigns` : `refused: ${r.reason}`;
        });
        this.c.stabilize();
        out.push(outcome);
        break;
      }
      case 'set-mode': {
        // An operator's drain or undrain: the mode changes at once and, as the node's data dir keeps it, survives a restart.
        const [id, mode] = positional as [NodeId, ElectionMode];
        let outcome = '';
        this.c.on(id, (raft) => {
          const r = raft.setElectionMode(mode);
          if (r.ok) this.c.node(id).mode = mode;
          outcome = r.ok ? `${id} is in ${mode} mode` : `refused: ${r.reason}`;
        });
        out.push(outcome);
        break;
      }
      case 'tick': {
        const id = positional[0]!;
        const count = Number(positional[1] ?? 1);
        for (let i = 0; i < count; i++) this.c.tick(id);
        break;
      }
      case 'run': {
        // Virtual time: every live node ticks, then what was sent arrives (one hop per tick).
        const ticks = Number(named.get('ticks') ?? positional[0] ?? 1);
        for (let i = 0; i < ticks; i++) this.c.step();
        break;
      }
      case 'deliver':
        out.push(...this.c.deliver(matcher()));
        if (out.length === 0) out.push('nothing to deliver');
        break;
      case 'drop':
        out.push(...this.c.dropWhere(matcher()).map((d) => `dropped ${d}`));
        break;
      case 'stabilize':
        this.c.stabilize();
        break;
      case 'pending':
        out.push(...this.c.pending().map((f) => describeInFlight(f.msg)));
        if (out.length === 0) out.push('nothing in flight');
        break;
      case 'partition': {
        const sides = rest.join(' ').split('|').map((side) => side.trim().split(/\s+/).filter(Boolean));
        this.c.partition(sides[0]!, sides[1]!);
        break;
      }
      case 'isolate':
        this.c.isolate(positional[0]!);
        break;
      case 'heal':
        this.c.heal();
        break;
      case 'crash':
        this.c.crash(positional[0]!);
        break;
      case 'restart':
        this.c.restart(positional[0]!);
        break;
      case 'restart-all':
        this.c.restartAll();
        break;
      case 'propose':
        this.c.propose(positional[0]!, positional[1]);
        break;
      case 'transfer': {
        const from = named.get('from')!;
        this.c.on(from, (raft) => raft.transferLeadership(named.get('to')!, named.get('id') ?? `${from}->${named.get('to')}`));
        break;
      }
      case 'conf-change': {
        const [on, type, node] = positional as [NodeId, 'add' | 'remove', NodeId];
        this.c.on(on, (raft) => raft.proposeConfChange({ type, node }, `${type}-${node}`));
        break;
      }
      case 'set-version': {
        const [on, version] = positional as [NodeId, string];
        this.c.on(on, (raft) => raft.proposeVersion(Number(version), `v${version}`));
        break;
      }
      case 'read': {
        const [on, id] = positional as [NodeId, string];
        this.c.on(on, (raft) => raft.readIndex(id));
        break;
      }
      case 'compact': {
        const id = positional[0]!;
        const done = this.c.compact(id);
        out.push(done ? `${id} compacted through ${this.c.raft(id).softState().snapshotIndex}` : `${id} has nothing to compact`);
        break;
      }
      case 'fail-storage':
        this.c.node(positional[0]!).failNextPersist = true;
        break;
      case 'state':
        out.push(this.c.state());
        break;
      case 'log': {
        const id = positional[0]!;
        const raft = this.c.raft(id);
        const s = raft.softState();
        const decoder = new TextDecoder();
        if (s.snapshotIndex > 0) out.push(`${id} snapshot through ${s.snapshotIndex}`);
        for (const e of raft.entries(s.snapshotIndex + 1, s.lastIndex + 1)) {
          out.push(`${e.index}/${e.term} ${e.kind}${e.kind === 'command' ? ` ${decoder.decode(e.data)}` : ''}`);
        }
        if (out.length === 0) out.push(`${id} log is empty`);
        break;
      }
      case 'check': {
        const v = this.c.checker.violations;
        out.push(v.length === 0 ? 'safety checks: ok' : v.join('\n'));
        break;
      }
      default:
        throw new Error(`unknown command ${name}`);
    }
    out.push(...this.newResults());
    return out.length > 0 ? out.join('\n') : 'ok';
  }

  /** Results and read states handed out since the last command, per node. */
  private newResults(): string[] {
    const lines: string[] = [];
    for (const n of this.cluster?.nodes.values() ?? []) {
      const seen = this.seenResults.get(n.id) ?? 0;
      for (const r of n.results.slice(seen)) lines.push(`${n.id}: ${describeResult(r)}`);
      this.seenResults.set(n.id, n.results.length);
      const seenReads = this.seenReads.get(n.id) ?? 0;
      for (const r of n.readStates.slice(seenReads)) lines.push(`${n.id}: read ${r.requestId} may be served at index ${r.index}`);
      this.seenReads.set(n.id, n.readStates.length);
    }
    return lines;
  }
}

function describeInFlight(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  if ('entries' in m && m.entries.length > 0) s += ` entries=${m.entries.map((e) => `${e.index}/${e.term}`).join(',')}`;
  if ('forced' in m && m.forced) s += ' forced';
  if ('reject' in m && m.reject) s += ' reject';
  return s;
}
