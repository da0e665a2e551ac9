// The honest throughput comparison: commit throughput swept over the writes in flight, for both
// systems each driven at its best, with CPU per write from /proc for every process and the idle CPU
// of every member. PySyncObj is driven as its own benchmarks drive it (a load generator inside the
// leader process, asynchronous callback= API, no network client); syncobj-node through the network
// client users get (KvClient). PySyncObj through the fixture's line server (a Python thread per
// connection, one synchronous write each) is a second, labelled row: it measures that server too.

import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { pysyncobjMissing } from '../support/pysyncobj-cluster.js';
import { closedLoop, kvWriter, PyLineWriter, type LoadResult, type Writer } from './load.js';
import { PyBenchCluster } from './pysync-bench.js';
import { percentile } from './stats.js';
import { fmt, nodeLeader, progress, ratio, sleep, startNodeCluster } from './util.js';

export interface SweepParams {
  points: number[];
  /** The line-server row is one thread per connection: past a few hundred it measures thread churn. */
  lineServerPoints: number[];
  warmupMs: number;
  windowMs: number;
  idleMs: number;
}

export const SWEEP_FULL: SweepParams = { points: [1, 16, 64, 256, 1024, 4096], lineServerPoints: [1, 16, 64, 256], warmupMs: 1000, windowMs: 3000, idleMs: 10_000 };
export const SWEEP_QUICK: SweepParams = { points: [1, 64, 1024], lineServerPoints: [64], warmupMs: 300, windowMs: 1000, idleMs: 2000 };

export interface SweepRow {
  inFlight: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU of every member and the load generator, per acknowledged write. */
  cpuUsPerWrite: number;
}

export interface SystemSweep {
  system: string;
  rows: SweepRow[];
  /** Share of one core each member used while idle, over idleMs. */
  idle: number[];
  skipped?: string;
}

export interface SweepResult {
  params: SweepParams;
  systems: SystemSweep[];
}

const CLOCK_TICKS_PER_S = 100;

/** User plus system CPU time a process has used, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU used by the given processes (and, when asked, this one) while `body` runs. */
async function withCpu<T>(pids: number[], includeSelf: boolean, body: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = pids.map(processCpuMs);
  const self0 = selfCpuMs();
  const value = await body();
  const cpuMs = pids.reduce((sum, pid, i) => sum + processCpuMs(pid) - before[i]!, 0) + (includeSelf ? selfCpuMs() - self0 : 0);
  return { value, cpuMs };
}

async function idleShares(pids: number[], ms: number): Promise<number[]> {
  const before = pids.map(processCpuMs);
  const t0 = performance.now();
  await sleep(ms);
  const wall = performance.now() - t0;
  return pids.map((pid, i) => (processCpuMs(pid) - before[i]!) / wall);
}

function row(inFlight: number, load: LoadResult, cpuMs: number): SweepRow {
  return {
    inFlight,
    opsPerSec: load.opsPerSec,
    p50: percentile(load.latenciesMs, 50),
    p99: percentile(load.latenciesMs, 99),
    failed: load.failures,
    cpuUsPerWrite: load.ops > 0 ? (cpuMs * 1000) / load.ops : NaN,
  };
}

/** Spread `inFlight` loops over at most eight clients, as an application with a connection pool would. */
function spread(inFlight: number): { clients: number; each: number } {
  const clients = Math.min(8, inFlight);
  return { clients, each: Math.ceil(inFlight / clients) };
}

async function sweepNode(p: SweepParams): Promise<SystemSweep> {
  const cluster = await startNodeCluster(3, { fsync: 'never' });
  try {
    const { leader } = await nodeLeader(cluster.addresses);
    const pids = [...cluster.children.values()].map((c) => c.pid!);
    const idle = await idleShares(pids, p.idleMs);
    const rows: SweepRow[] = [];
    for (const inFlight of p.points) {
      progress(`sweep: syncobj-node, ${inFlight} in flight`);
      const { clients, each } = spread(inFlight);
      const writers: Writer[] = Array.from({ length: clients }, () => kvWriter([leader, ...cluster.addresses.filter((a) => a !== leader)]));
      try {
        // The window's CPU includes the warm-up's: count the warm-up apart, then the window alone.
        await closedLoop(writers, each, p.warmupMs, 0, `w${inFlight}.`);
        const { value, cpuMs } = await withCpu(pids, true, () => closedLoop(writers, each, p.windowMs, 0, `m${inFlight}.`));
        rows.push(row(clients * each, value, cpuMs));
      } finally {
        writers.forEach((w) => w.close());
      }
    }
    return { system: 'syncobj-node --fsync never, KvClient over the network', rows, idle };
  } finally {
    await cluster.stop();
  }
}

interface EmbeddedReply {
  ok: number;
  failed: number;
  seconds: number;
  p50_ms: number;
  p99_ms: number;
}

/** Sends one line to a fixture's bench port and waits for its one-line answer. */
function benchCommand(port: number, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the PySyncObj bench port ${port} did not answer '${line}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(buffer.slice(0, nl));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.write(line + '\n');
  });
}

async function sweepPysyncobj(p: SweepParams): Promise<SystemSweep[]> {
  const cluster = await PyBenchCluster.start(3);
  try {
    const { leader } = await cluster.leader();
    const pids = [...cluster.children.values()].map((c) => c.pid!);
    const idle = await idleShares(pids, p.idleMs);
    const embedded = { counter: [] as SweepRow[], dict: [] as SweepRow[] };
    for (const target of ['counter', 'dict'] as const) {
      for (const inFlight of p.points) {
        progress(`sweep: PySyncObj embedded (${target}), ${inFlight} in flight`);
        const { value, cpuMs } = await withCpu(pids, false, async () => {
          const line = await benchCommand(cluster.benchPort(leader), `load ${inFlight} ${p.warmupMs} ${p.windowMs} ${target}`, p.warmupMs + p.windowMs + 30_000);
          if (line.startsWith('err ')) throw new Error(`the PySyncObj bench port refused '${target}' load: ${line.slice(4)}`);
          return JSON.parse(line) as EmbeddedReply;
        });
        // The CPU covers warm-up and window; scale it to the window, as the writes counted are the window's.
        const windowCpu = (cpuMs * p.windowMs) / (p.warmupMs + p.windowMs);
        embedded[target].push({ inFlight, opsPerSec: value.ok / value.seconds, p50: value.p50_ms, p99: value.p99_ms, failed: value.failed, cpuUsPerWrite: value.ok > 0 ? (windowCpu * 1000) / value.ok : NaN });
      }
    }
    const lineServer: SweepRow[] = [];
    for (const inFlight of p.lineServerPoints) {
      progress(`sweep: PySyncObj line server, ${inFlight} in flight`);
      const writers: Writer[] = Array.from({ length: inFlight }, () => new PyLineWriter([cluster.benchPort(leader)]));
      try {
        await closedLoop(writers, 1, p.warmupMs, 0, `pw${inFlight}.`);
        const { value, cpuMs } = await withCpu(pids, true, () => closedLoop(writers, 1, p.windowMs, 0, `pm${inFlight}.`));
        lineServer.push(row(inFlight, value, cpuMs));
      } finally {
        writers.forEach((w) => w.close());
      }
    }
    return [
      { system: 'PySyncObj 0.3.11, in-memory journal, load generator inside the leader, @replicated counter as its benchmarks/testobj.py (its best)', rows: embedded.counter, idle },
      { system: 'PySyncObj 0.3.11, in-memory journal, load generator inside the leader, replicated dict of 10,000 keys (what syncobj-node serves)', rows: embedded.dict, idle },
      { system: 'PySyncObj 0.3.11, in-memory journal, through the fixture line server (thread per connection)', rows: lineServer, idle },
    ];
  } finally {
    await cluster.stop();
  }
}

export async function benchSweep(p: SweepParams): Promise<SweepResult> {
  const systems: SystemSweep[] = [await sweepNode(p)];
  const missing = pysyncobjMissing();
  if (missing) systems.push({ system: 'PySyncObj', rows: [], idle: [], skipped: missing });
  else systems.push(...(await sweepPysyncobj(p).catch((e: Error) => [{ system: 'PySyncObj', rows: [], idle: [], skipped: `failed: ${e.message}` }])));
  return { params: p, systems };
}

const peak = (s: SystemSweep) => s.rows.reduce<SweepRow | null>((best, r) => (best === null || r.opsPerSec > best.opsPerSec ? r : best), null);

export function sweepTable(r: SweepResult): string {
  const p = r.params;
  const out = [
    `### Commit throughput swept over writes in flight: 3 members on loopback, 10-byte values, ${p.windowMs / 1000} s window after ${p.warmupMs / 1000} s warm-up per point`,
    '',
    'CPU per write: user + system CPU of every member and of the load generator (for PySyncObj at its best, the generator is inside the leader) over the window, divided by the writes acknowledged in it.',
    '',
    '| system | in flight | ops/s | p50 ms | p99 ms | failed | CPU µs per write |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of r.systems) {
    if (s.skipped) {
      out.push(`| ${s.system} | ${s.skipped} | | | | | |`);
      continue;
    }
    for (const row of s.rows) out.push(`| ${s.system} | ${row.inFlight} | ${fmt(row.opsPerSec, 0)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.failed} | ${fmt(row.cpuUsPerWrite, 0)} |`);
  }
  const ours = r.systems[0]!;
  const best = r.systems.find((s) => s.system.includes('its best'));
  const oursPeak = peak(ours);
  const bestPeak = best ? peak(best) : null;
  out.push('', '| peak | in flight | ops/s | ratio to PySyncObj at its best |', '|---|---|---|---|');
  for (const s of r.systems) {
    const pk = peak(s);
    if (!pk) continue;
    out.push(`| ${s.system} | ${pk.inFlight} | ${fmt(pk.opsPerSec, 0)} | ${bestPeak ? ratio(pk.opsPerSec, bestPeak.opsPerSec) : 'n/a'}${s === ours ? ' (target >= 1.50x)' : ''} |`);
  }
  if (oursPeak && bestPeak) out.push('', `Peak ratio, syncobj-node / PySyncObj at its best: **${ratio(oursPeak.opsPerSec, bestPeak.opsPerSec)}**.`);
  const dict = r.systems.find((s) => s.system.includes('replicated dict'));
  const dictPeak = dict ? peak(dict) : null;
  if (oursPeak && dictPeak) out.push('', `Peak ratio, syncobj-node / PySyncObj serving a replicated dict: ${ratio(oursPeak.opsPerSec, dictPeak.opsPerSec)}.`);
  out.push('', `Idle CPU per member over ${p.idleMs / 1000} s (share of one core):`, '', '| system | members | ratio of the busiest to PySyncObj\'s busiest |', '|---|---|---|');
  const pyIdle = best && best.idle.length ? Math.max(...best.idle) : NaN;
  for (const s of r.systems) {
    if (!s.idle.length || (s !== ours && s !== best)) continue;
    out.push(`| ${s.system.split(',')[0]} | ${s.idle.map((x) => `${fmt(x * 100, 1)} %`).join(', ')} | ${ratio(Math.max(...s.idle), pyIdle)}${s === ours ? ' (target <= 1.00x)' : ''} |`);
  }
  out.push('');
  return out.join('\n');
}
