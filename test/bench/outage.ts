// Outage around a leader change: writers commit continuously while the leader changes; the figure is
// the longest gap between consecutive acknowledged writes, seen by a writer attached to the old leader
// and by one attached to a follower, plus the writes that failed. Planned changes -- (a) syncobj-admin
// -transfer, (b) SIGTERM of the leader (it hands leadership over on stop) -- against unplanned ones:
// (c) SIGKILL of a syncobj-node leader, (d) SIGKILL of a PySyncObj leader.

import type { NodeCluster } from '../support/node-cluster.js';
import { pysyncobjMissing } from '../support/pysyncobj-cluster.js';
import { kvWriter, PyLineWriter, VALUE_10B, type Writer } from './load.js';
import { PyBenchCluster } from './pysync-bench.js';
import { median } from './stats.js';
import { Budget, clusterLeader, fmt, nodeCaughtUp, nodeLeader, progress, ratio, sleep, startNodeCluster } from './util.js';

export interface OutageParams {
  trials: number;
  /** Writes in flight per writer (a writer is one KvClient, or this many PySyncObj connections). */
  inFlight: number;
  budgetMs: number;
}

export const OUTAGE_FULL: OutageParams = { trials: 10, inFlight: 4, budgetMs: 190_000 };
export const OUTAGE_QUICK: OutageParams = { trials: 3, inFlight: 4, budgetMs: 70_000 };

type Scenario = 'transfer' | 'sigterm' | 'sigkill' | 'py-sigkill';
export const SCENARIOS: { id: Scenario; label: string }[] = [
  { id: 'transfer', label: '(a) syncobj-admin -transfer auto' },
  { id: 'sigterm', label: '(b) SIGTERM of the syncobj-node leader' },
  { id: 'sigkill', label: '(c) SIGKILL of the syncobj-node leader' },
  { id: 'py-sigkill', label: '(d) SIGKILL of the PySyncObj leader' },
];

export interface WriterTrial {
  /** The gap between acknowledged writes that spans the moment the new leader took over, ms. */
  spanning: number;
  /** The longest gap between acknowledged writes from 200 ms before the event until writes flow again. */
  window: number;
  /** The longest gap in 500 ms of steady writing just before the event: the machine's noise floor. */
  noise: number;
  /** The slowest single write that completed in the window (a write can stall while others flow). */
  slowest: number;
  failed: number;
}

export interface Trial {
  leader: WriterTrial;
  follower: WriterTrial;
  /** Whether the takeover time came from the new leader's log (else: the longest gap is taken as the change). */
  takeoverKnown: boolean;
  /** From the event (signal sent, or the transfer command started) to the new leader's takeover, ms; NaN when unknown. */
  takeoverAfter: number;
}

const now = () => performance.timeOrigin + performance.now();

/** Continuous writes through several writers; every acknowledgement and failure is timestamped (wall clock, ms). */
class WriteStream {
  readonly acks: number[] = [];
  readonly latencies: number[] = [];
  readonly failures: number[] = [];
  #running = true;
  #loops: Promise<void>[];

  constructor(writers: Writer[], inFlightPerWriter: number, prefix: string) {
    let n = 0;
    this.#loops = writers.flatMap((w) =>
      Array.from({ length: inFlightPerWriter }, async () => {
        while (this.#running) {
          const t = now();
          try {
            await w.set(`${prefix}${n++}`, VALUE_10B);
            if (this.#running) {
              this.acks.push(now());
              this.latencies.push(now() - t);
            }
          } catch {
            if (this.#running) this.failures.push(now());
            await sleep(5);
          }
        }
      }),
    );
  }

  acksAfter(t: number): number {
    let c = 0;
    for (let i = this.acks.length - 1; i >= 0 && this.acks[i]! > t; i--) c++;
    return c;
  }

  /** Stops writing and waits (bounded) for the writes in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.race([Promise.all(this.#loops), sleep(12_000)]);
  }

  /** The longest gap between consecutive acknowledgements within [from, to] (edges count as gaps). */
  longestGap(from: number, to: number): number {
    const inside = this.acks.filter((t) => t >= from && t <= to);
    const points = [this.acks.filter((t) => t < from).pop() ?? from, ...inside, to];
    let gap = 0;
    for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i]! - points[i - 1]!);
    return gap;
  }

  /** The gap between the last acknowledgement at or before `t` and the first one after it. */
  spanning(t: number, to: number): number {
    const before = this.acks.filter((a) => a <= t).pop() ?? t;
    const after = this.acks.find((a) => a > t) ?? to;
    return after - before;
  }

  result(t0: number, t2: number, takeover: number | null): WriterTrial {
    let slowest = 0;
    this.acks.forEach((a, i) => {
      if (a >= t0 - 200 && a <= t2) slowest = Math.max(slowest, this.latencies[i]!);
    });
    const window = this.longestGap(t0 - 200, t2);
    return {
      spanning: takeover === null ? window : this.spanning(takeover, t2),
      window,
      noise: this.longestGap(t0 - 500, t0),
      slowest,
      failed: this.failures.filter((t) => t >= t0 - 200).length,
    };
  }
}

/**
 * Runs the streams through one leader change: steady writing (500 ms of it measured as the noise
 * floor), the event, then until both streams acknowledge steadily again. `takeover` says when the new
 * leader took over (wall clock), or null when unknown.
 */
async function measure(leaderStream: WriteStream, followerStream: WriteStream, event: () => Promise<void>, takeover: (since: number) => number | null): Promise<Trial> {
  const deadline = performance.now() + 20_000;
  while ((leaderStream.acks.length < 20 || followerStream.acks.length < 20) && performance.now() < deadline) await sleep(10);
  await sleep(600);
  const t0 = now();
  try {
    await event();
  } catch (err) {
    await Promise.all([leaderStream.stop(), followerStream.stop()]);
    throw err;
  }
  const t1 = now();
  while ((leaderStream.acksAfter(t1 + 100) < 20 || followerStream.acksAfter(t1 + 100) < 20) && performance.now() < deadline) await sleep(10);
  await sleep(100);
  const t2 = now();
  await Promise.all([leaderStream.stop(), followerStream.stop()]);
  const change = takeover(t0);
  return {
    leader: leaderStream.result(t0, t2, change),
    follower: followerStream.result(t0, t2, change),
    takeoverKnown: change !== null,
    takeoverAfter: change === null ? NaN : change - t0,
  };
}

/** When a member logged winning an election at or after `since` (wall clock ms), from the members' event logs. */
function nodeTakeover(cluster: NodeCluster, since: number): number | null {
  let first: number | null = null;
  for (const log of cluster.group.logs.values()) {
    for (const m of log.matchAll(/^(\S+) \S+ election: won: leader of term/gm)) {
      const t = Date.parse(m[1]!);
      if (t >= Math.floor(since) && (first === null || t < first)) first = t;
    }
  }
  return first;
}

async function nodeTrial(cluster: NodeCluster, scenario: Scenario, inFlight: number): Promise<Trial> {
  const { leader } = await nodeLeader(cluster.addresses);
  const others = cluster.addresses.filter((a) => a !== leader);
  const follower = others[others.length - 1]!;
  const wl = kvWriter([leader, ...others]);
  const wf = kvWriter([follower]);
  try {
    const trial = await measure(
      new WriteStream([wl], inFlight, 'ol'),
      new WriteStream([wf], inFlight, 'of'),
      async () => {
        if (scenario === 'transfer') {
          const r = await cluster.cli(['-conn', leader, '-transfer', 'auto']);
          if (r.code !== 0) throw new Error(`syncobj-admin -transfer failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
        } else await cluster.kill(leader, scenario === 'sigterm' ? 'SIGTERM' : 'SIGKILL');
      },
      (since) => nodeTakeover(cluster, since),
    );
    if (scenario !== 'transfer') {
      cluster.startMember(leader);
      await clusterLeader(cluster);
      await nodeCaughtUp(cluster.addresses, null);
    }
    return trial;
  } finally {
    wl.close();
    wf.close();
  }
}

async function pyTrial(cluster: PyBenchCluster, inFlight: number): Promise<Trial> {
  const { leader } = await cluster.leader();
  const others = cluster.addresses.filter((a) => a !== leader);
  const follower = others[others.length - 1]!;
  const ports = [leader, ...others].map((a) => cluster.benchPort(a));
  // PySyncObj's bench port answers one line at a time per connection: one connection per write in flight.
  const wl = Array.from({ length: inFlight }, () => new PyLineWriter(ports));
  const wf = Array.from({ length: inFlight }, () => new PyLineWriter([cluster.benchPort(follower)]));
  try {
    const trial = await measure(new WriteStream(wl, 1, 'pl'), new WriteStream(wf, 1, 'pf'), () => cluster.kill(leader, 'SIGKILL'), () => null);
    cluster.startMember(leader);
    await cluster.leader();
    return trial;
  } finally {
    [...wl, ...wf].forEach((w) => w.close());
  }
}

export type OutageResult = { params: OutageParams; trials: Map<Scenario, Trial[]>; notes: string[] };

export async function benchOutage(p: OutageParams): Promise<OutageResult> {
  const budget = new Budget(p.budgetMs);
  const result: OutageResult = { params: p, trials: new Map(SCENARIOS.map((s) => [s.id, []])), notes: [] };
  const cluster = await startNodeCluster(3, { fsync: 'never' });
  try {
    // Rounds interleave the scenarios, so drift in machine load hits them alike. At least one trial of
    // each scenario runs whatever the budget says.
    for (let i = 0; i < p.trials && (i === 0 || budget.left() > 0.45 * p.budgetMs * ((p.trials - i) / p.trials)); i++) {
      for (const s of ['transfer', 'sigterm', 'sigkill'] as const) {
        progress(`outage: ${s} trial ${i + 1}/${p.trials}`);
        try {
          result.trials.get(s)!.push(await nodeTrial(cluster, s, p.inFlight));
        } catch (err) {
          result.notes.push(`${s} trial ${i + 1} failed and was left out: ${(err as Error).message}`);
          for (const [address, child] of cluster.children) if (child.exitCode !== null || child.signalCode !== null) cluster.startMember(address);
          await nodeLeader(cluster.addresses).catch(() => undefined);
        }
      }
    }
  } finally {
    await cluster.stop();
  }
  const missing = pysyncobjMissing();
  if (missing) result.notes.push(`(d) skipped: ${missing}`);
  else {
    const py = await PyBenchCluster.start(3);
    try {
      for (let i = 0; i < p.trials && (i === 0 || !budget.over); i++) {
        progress(`outage: PySyncObj sigkill trial ${i + 1}/${p.trials}`);
        try {
          result.trials.get('py-sigkill')!.push(await pyTrial(py, p.inFlight));
        } catch (err) {
          result.notes.push(`PySyncObj trial ${i + 1} failed and was left out: ${(err as Error).message}`);
          for (const [address, child] of py.children) if (child.exitCode !== null || child.signalCode !== null) py.startMember(address);
          await py.leader().catch(() => undefined);
        }
      }
    } finally {
      await py.stop();
    }
  }
  for (const s of SCENARIOS) {
    const n = result.trials.get(s.id)!.length;
    if (n < p.trials) result.notes.push(`${s.label}: ${n} of ${p.trials} trials (time budget ${p.budgetMs / 1000} s)`);
  }
  return result;
}

export function outageTable(r: OutageResult): string {
  const stat = (xs: number[]) => (xs.length ? `${fmt(median(xs))} [${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}]` : 'n/a');
  const worst = (t: Trial) => Math.max(t.leader.spanning, t.follower.spanning);
  const med = (id: Scenario) => median(r.trials.get(id)!.map(worst));
  const out = [
    `### Outage around a leader change: 3 members, syncobj-node --fsync never vs PySyncObj in-memory journal; ${r.params.inFlight} writes in flight per writer; ms, median [min-max] over trials`,
    '',
    '| event | writer | trials | new leader after | gap spanning the takeover | slowest write | longest gap in the window | noise: longest gap in 0.5 s before | failed writes | worst writer vs (c) | vs (d) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of SCENARIOS) {
    const ts = r.trials.get(s.id)!;
    const target = s.id === 'transfer' || s.id === 'sigterm' ? ' (target <= 20 ms, 0 failed)' : '';
    (['leader', 'follower'] as const).forEach((w, i) => {
      const xs = ts.map((t) => t[w]);
      const ratios = i === 0 ? `${ratio(med(s.id), med('sigkill'))} | ${ratio(med(s.id), med('py-sigkill'))}` : ' | ';
      out.push(
        `| ${i === 0 ? s.label : ''} | ${w === 'leader' ? 'on the old leader' : 'on a follower'} | ${ts.length} | ${i === 0 ? stat(ts.map((t) => t.takeoverAfter).filter((x) => Number.isFinite(x))) : ''} | ${stat(xs.map((x) => x.spanning))}${i === 0 ? target : ''} | ${stat(xs.map((x) => x.slowest))} | ${stat(xs.map((x) => x.window))} | ${stat(xs.map((x) => x.noise))} | ${xs.reduce((a, x) => a + x.failed, 0)} | ${ratios} |`,
      );
    });
  }
  out.push(
    '',
    'The takeover time is the new leader\'s "won: leader of term" log line ("new leader after" counts from the signal, or from starting the transfer command, whose own start-up is in it); PySyncObj logs none, so for (d) the longest gap in the window stands in for it. ' +
      'The window runs from 200 ms before the event until both writers acknowledge steadily again. ' +
      'syncobj-node writers are KvClients (they retry on another member within their 10 s deadline); PySyncObj writers reconnect to the next member when their connection drops, and a write lost with the connection counts as failed.',
  );
  for (const n of r.notes) out.push('', `Note: ${n}`);
  out.push('');
  return out.join('\n');
}
