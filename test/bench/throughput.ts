// Commit throughput and latency on loopback, 10-byte values: syncobj-node against PySyncObj's ReplDict
// (the interop fixture) at equal durability -- `--fsync never` against PySyncObj's in-memory journal,
// `--fsync always` against its file journal -- with the leader and term checked before and after, plus
// sequential single-writer latency to the leader and through a follower.

import { KvClient } from 'syncobj-admin';
import { NativeConnection } from '../../src/client/native-connection.js';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import { pysyncobjMissing } from '../support/pysyncobj-cluster.js';
import type { NodeCluster } from '../support/node-cluster.js';
import { closedLoop, kvWriter, PyLineWriter, sequential, VALUE_10B, type LoadResult, type Writer } from './load.js';
import { PyBenchCluster } from './pysync-bench.js';
import { median, percentile } from './stats.js';
import { fmt, nodeLeader, progress, ratio, startNodeCluster, yes, type LeaderTerm } from './util.js';

export interface ThroughputParams {
  /** Writes in flight in total. */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  sequentialNode: number;
  sequentialPy: number;
}

export const THROUGHPUT_FULL: ThroughputParams = { concurrency: 64, warmupMs: 1000, durationMs: 4000, sequentialNode: 200, sequentialPy: 20 };
export const THROUGHPUT_QUICK: ThroughputParams = { concurrency: 64, warmupMs: 500, durationMs: 2000, sequentialNode: 100, sequentialPy: 8 };

export interface Run {
  system: string;
  members: number;
  load: LoadResult;
  seqLeader: number[];
  seqFollower: number[];
  seqFailures: number;
  /** Floors on the same machine and moment (syncobj-node only): a status round trip on an open connection, and a linearizable get (one quorum round, no disk). */
  statusRtt: number[];
  readIndex: number[];
  before: LeaderTerm;
  after: LeaderTerm;
  /** When the leader or term changed: the members' election log lines since the load started. */
  elections: string[];
}

const SEQUENTIAL_WARMUP = 30;

/** Election-related event log lines of every member since `since` (wall clock ms), oldest first. */
export function electionLines(cluster: NodeCluster, since: number): string[] {
  const lines: string[] = [];
  for (const log of cluster.group.logs.values()) {
    for (const line of log.split('\n')) {
      const t = Date.parse(line.slice(0, 24));
      if (t >= since && /election:|stepped down|leads term|no leader known/.test(line)) lines.push(line);
    }
  }
  return lines.sort();
}

const NODE_CLIENTS = 4;

/** One syncobj-node cluster: sequential writes (leader, follower), then the closed-loop load on the leader. */
export async function nodeRun(members: number, fsync: 'always' | 'never', p: ThroughputParams, withSequential = true): Promise<Run> {
  const cluster = await startNodeCluster(members, { fsync });
  const writers: Writer[] = [];
  try {
    const before = await nodeLeader(cluster.addresses);
    const follower = cluster.addresses.find((a) => a !== before.leader)!;
    const others = cluster.addresses.filter((a) => a !== before.leader);
    const seqLeader: number[] = [];
    const seqFollower: number[] = [];
    let seqFailures = 0;
    const statusRtt: number[] = [];
    const readIndex: number[] = [];
    if (withSequential) {
      const toLeader = kvWriter([before.leader, ...others]);
      const viaFollower = kvWriter([follower]);
      writers.push(toLeader, viaFollower);
      const conn = await NativeConnection.open(before.leader, await deriveNativeKey(null), 3000);
      const reader = new KvClient({ members: [before.leader], password: null, timeoutMs: 5000 });
      // Interleaved, so the write and its floors see the same moment of a shared machine; the
      // first rounds are warm-up (connections, JIT) and not counted.
      const timed = async (into: number[] | null, op: () => Promise<unknown>): Promise<void> => {
        const t = performance.now();
        try {
          await op();
          into?.push(performance.now() - t);
        } catch {
          if (into) seqFailures++;
        }
      };
      const end = performance.now() + 30_000;
      try {
        for (let i = -SEQUENTIAL_WARMUP; i < p.sequentialNode && performance.now() < end; i++) {
          const count = i >= 0;
          await timed(count ? seqLeader : null, () => toLeader.set(`sl${i}`, VALUE_10B));
          await timed(count ? seqFollower : null, () => viaFollower.set(`sf${i}`, VALUE_10B));
          await timed(count ? statusRtt : null, () => conn.request({ t: 'admin', cmd: 'status' }, 3000));
          await timed(count ? readIndex : null, () => reader.get('sl0'));
        }
      } finally {
        conn.close();
        reader.close();
      }
    }
    const loadFrom = Date.now();
    const clients = Array.from({ length: NODE_CLIENTS }, () => kvWriter([before.leader, ...others]));
    writers.push(...clients);
    const load = await closedLoop(clients, Math.ceil(p.concurrency / NODE_CLIENTS), p.durationMs, p.warmupMs);
    const after = await nodeLeader(cluster.addresses);
    const elections = after.term === before.term && after.leader === before.leader ? [] : electionLines(cluster, loadFrom);
    return { system: `syncobj-node --fsync ${fsync}`, members, load, seqLeader, seqFollower, seqFailures, statusRtt, readIndex, before, after, elections };
  } finally {
    writers.forEach((w) => w.close());
    await cluster.stop();
  }
}

export async function pyRun(journal: boolean, p: ThroughputParams): Promise<Run> {
  const cluster = await PyBenchCluster.start(3, { journal });
  const writers: Writer[] = [];
  try {
    const before = await cluster.leader();
    const follower = cluster.addresses.find((a) => a !== before.leader)!;
    const toLeader = new PyLineWriter([cluster.benchPort(before.leader)]);
    const viaFollower = new PyLineWriter([cluster.benchPort(follower)]);
    writers.push(toLeader, viaFollower);
    for (let i = 0; i < 3; i++) {
      await toLeader.set('warm', 'x');
      await viaFollower.set('warm', 'x');
    }
    const l = await sequential(toLeader, p.sequentialPy, 20_000, 'sl');
    const f = await sequential(viaFollower, p.sequentialPy, 20_000, 'sf');
    const clients = Array.from({ length: p.concurrency }, () => new PyLineWriter([cluster.benchPort(before.leader)]));
    writers.push(...clients);
    const load = await closedLoop(clients, 1, p.durationMs, p.warmupMs);
    const after = await cluster.leader();
    return {
      system: journal ? 'PySyncObj, file journal' : 'PySyncObj, in-memory journal',
      members: 3,
      load,
      seqLeader: l.latenciesMs,
      seqFollower: f.latenciesMs,
      seqFailures: l.failures + f.failures,
      elections: [],
      statusRtt: [],
      readIndex: [],
      before,
      after,
    };
  } finally {
    writers.forEach((w) => w.close());
    await cluster.stop();
  }
}

export interface ThroughputResult {
  params: ThroughputParams;
  pairs: { anchor: Run | string; ours: Run }[];
}

export async function benchThroughput(p: ThroughputParams): Promise<ThroughputResult> {
  const missing = pysyncobjMissing();
  const pairs: ThroughputResult['pairs'] = [];
  for (const [fsync, journal] of [['never', false], ['always', true]] as const) {
    progress(`throughput: syncobj-node --fsync ${fsync}`);
    const ours = await nodeRun(3, fsync, p);
    progress(`throughput: PySyncObj ${journal ? 'file' : 'in-memory'} journal`);
    const anchor = missing ? `skipped: ${missing}` : await pyRun(journal, p).catch((e: Error) => `failed: ${e.message}`);
    pairs.push({ anchor, ours });
  }
  return { params: p, pairs };
}

const stable = (r: Run) => r.before.leader === r.after.leader && r.before.term === r.after.term;

function loadRow(r: Run, anchor: Run | null, target: string): string {
  const l = r.load;
  return `| ${r.system} | ${fmt(l.opsPerSec, 0)} | ${fmt(percentile(l.latenciesMs, 50))} | ${fmt(percentile(l.latenciesMs, 99))} | ${l.failures} | ${yes(stable(r))} (term ${r.before.term} -> ${r.after.term}) | ${anchor ? ratio(l.opsPerSec, anchor.load.opsPerSec) + target : '1.00x (anchor)'} |`;
}

export function throughputTables(r: ThroughputResult): string {
  const p = r.params;
  const out = [
    `### Commit throughput: 3 members on loopback, 10-byte values, ${p.concurrency} writes in flight to the leader, ${p.durationMs / 1000} s after ${p.warmupMs / 1000} s warm-up`,
    '',
    '| system | ops/s | p50 ms | p99 ms | failed | same leader and term after | ops/s ratio |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { anchor, ours } of r.pairs) {
    if (typeof anchor === 'string') out.push(`| PySyncObj | ${anchor} | | | | | |`);
    else out.push(loadRow(anchor, null, ''));
    out.push(loadRow(ours, typeof anchor === 'string' ? null : anchor, ' (target >= 2.00x)'));
  }
  for (const { ours } of r.pairs) if (ours.elections.length > 0) out.push('', `Leadership changed under load (${ours.system}); the members logged: ${ours.elections.slice(0, 8).map((l) => '`' + l + '`').join('; ')}`);
  out.push(
    '',
    `### Sequential commit latency (one writer, one write at a time; ${p.sequentialNode} writes for syncobj-node, ${p.sequentialPy} for PySyncObj)`,
    '',
    '| system | to the leader p50 / p99 ms | through a follower p50 / p99 ms | failed | p50 ratio to PySyncObj (leader / follower) |',
    '|---|---|---|---|---|',
  );
  for (const { anchor, ours } of r.pairs) {
    const a = typeof anchor === 'string' ? null : anchor;
    for (const run of a ? [a, ours] : [ours]) {
      const target = run === ours && ours.system.endsWith('never') ? ' (target: leader p50 <= 2 ms)' : '';
      const ratios = run === a ? '1.00x / 1.00x (anchor)' : a ? `${ratio(median(run.seqLeader), median(a.seqLeader))} / ${ratio(median(run.seqFollower), median(a.seqFollower))}` : 'n/a';
      out.push(`| ${run.system} | ${fmt(median(run.seqLeader), 2)} / ${fmt(percentile(run.seqLeader, 99), 2)} | ${fmt(median(run.seqFollower), 2)} / ${fmt(percentile(run.seqFollower, 99), 2)} | ${run.seqFailures} | ${ratios}${target} |`);
    }
  }
  const floors = r.pairs.map((x) => x.ours).filter((o) => o.statusRtt.length > 0);
  if (floors.length > 0) {
    out.push(
      '',
      'Floors for the sequential write, on the same leader and connection kind, same run: a status round trip (transport only) and a linearizable get (one quorum round, no disk write):',
      '',
      '| system | status RTT p50 / p99 ms | get (ReadIndex) p50 / p99 ms | write to the leader p50 as a multiple of the get |',
      '|---|---|---|---|',
    );
    for (const o of floors) {
      out.push(`| ${o.system} | ${fmt(median(o.statusRtt), 2)} / ${fmt(percentile(o.statusRtt, 99), 2)} | ${fmt(median(o.readIndex), 2)} / ${fmt(percentile(o.readIndex, 99), 2)} | ${ratio(median(o.seqLeader), median(o.readIndex))} |`);
    }
  }
  out.push('');
  return out.join('\n');
}
