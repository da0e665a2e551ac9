// Shared benchmark plumbing: in-process status polling of syncobj-node members (no CLI spawn per poll),
// process memory from /proc, time budgets, and small formatting helpers.

import { readFileSync } from 'node:fs';
import { adminRequest } from '../../src/client/native-connection.js';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import { NodeCluster, type NodeClusterOptions } from '../support/node-cluster.js';
import { freePorts } from '../support/processes.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const keys = new Map<string | null, Promise<Uint8Array>>();
function nativeKey(password: string | null): Promise<Uint8Array> {
  let k = keys.get(password);
  if (!k) keys.set(password, (k = deriveNativeKey(password)));
  return k;
}

export type NodeStatus = Record<string, unknown>;

/** One status request over the native wire, in this process; null when the member does not answer. */
export async function nodeStatus(address: string, password: string | null = null, timeoutMs = 1000): Promise<NodeStatus | null> {
  try {
    const reply = await adminRequest(address, await nativeKey(password), 'status', undefined, timeoutMs);
    return typeof reply === 'object' ? reply : null;
  } catch {
    return null;
  }
}

export interface LeaderTerm {
  leader: string;
  term: number;
}

/** Polls until every given member names the same leader and that leader says it leads; bounded by timeoutMs. */
export async function nodeLeader(members: string[], password: string | null = null, timeoutMs = 20_000): Promise<LeaderTerm> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const statuses = await Promise.all(members.map((a) => nodeStatus(a, password)));
    const leader = statuses[0]?.['leader'];
    if (typeof leader === 'string' && statuses.every((s) => s?.['leader'] === leader)) {
      const own = statuses[members.indexOf(leader)] ?? (await nodeStatus(leader, password));
      if (own?.['state'] === 2) return { leader, term: Number(own['raft_term']) };
    }
    await sleep(20);
  }
  throw new Error(`no syncobj-node leader agreed by ${members.join(',')} within ${timeoutMs} ms`);
}

/** Waits until every member applied at least `index` (a restarted member caught up), bounded. */
export async function nodeCaughtUp(members: string[], password: string | null, timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const statuses = await Promise.all(members.map((a) => nodeStatus(a, password)));
    const applied = statuses.map((s) => Number(s?.['last_applied'] ?? -1));
    const commit = Math.max(...statuses.map((s) => Number(s?.['commit_idx'] ?? 0)));
    if (applied.every((a) => a >= commit && a >= 0)) return;
    await sleep(20);
  }
  throw new Error(`members ${members.join(',')} did not catch up within ${timeoutMs} ms`);
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc); NaN elsewhere. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split('\n').find((l) => l.startsWith(name + ':')) ?? '')?.[2] ?? NaN) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** A time budget for one section: loops check `left()` so the whole run stays bounded. */
export class Budget {
  readonly #end: number;
  constructor(readonly ms: number) {
    this.#end = performance.now() + ms;
  }
  left(): number {
    return this.#end - performance.now();
  }
  get over(): boolean {
    return this.left() <= 0;
  }
}

export const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const ratio = (x: number, anchor: number) => (Number.isFinite(x) && Number.isFinite(anchor) && anchor > 0 ? `${(x / anchor).toFixed(2)}x` : 'n/a');
export const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

/** Prints progress to stderr, so stdout stays one markdown report. */
export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/**
 * NodeCluster.start, but waiting for the leader in-process (NodeCluster.waitForLeader spawns the CLI
 * per member per poll, which on a loaded 2-core machine can take longer than its own timeout).
 */
/** The code version the bench's clusters run at (see syncobj-node(1), CODE VERSIONS). */
export const BENCH_CODE_VERSION = 1;

export async function startNodeCluster(size: number, options: NodeClusterOptions = {}, timeoutMs = 30_000): Promise<NodeCluster> {
  // One retry: on a loaded machine a fresh cluster occasionally fails to settle (the error says why).
  return startNodeClusterOnce(size, options, timeoutMs).catch((err: Error) => {
    progress(`a ${size}-member cluster did not settle, starting another: ${err.message}`);
    return startNodeClusterOnce(size, options, timeoutMs);
  });
}

async function startNodeClusterOnce(size: number, options: NodeClusterOptions, timeoutMs: number): Promise<NodeCluster> {
  const cluster = new NodeCluster((await freePorts(size)).map((p) => `127.0.0.1:${p}`), options);
  try {
    cluster.addresses.forEach((a) => cluster.startMember(a));
    const { leader } = await nodeLeader(cluster.addresses, options.password ?? null, timeoutMs);
    // What an operator enables once every member runs this build: binary commands, 64-bit digest.
    const enabled = await cluster.admin(leader, 'set_version', BENCH_CODE_VERSION);
    if (enabled !== `SUCCESS SET_VERSION ${BENCH_CODE_VERSION}`) throw new Error(`set_version ${BENCH_CODE_VERSION} on ${leader} answered ${String(enabled)}`);
  } catch (err) {
    const statuses = await Promise.all(cluster.addresses.map((a) => nodeStatus(a, options.password ?? null)));
    const why = describeMembers(cluster, statuses);
    await cluster.stop();
    throw new Error(`${(err as Error).message}; ${why}`);
  }
  return cluster;
}

/** What each member reported (or, when it did not answer, whether its process lives and its last log lines). */
export function describeMembers(cluster: NodeCluster, statuses: (NodeStatus | null)[]): string {
  const campaigns = [...cluster.group.logs.values()].reduce((n, log) => n + (log.match(/election: campaigning/g)?.length ?? 0), 0);
  const seen = statuses.map((s, i) => {
    const address = cluster.addresses[i]!;
    if (s) return `${address}: term ${String(s['raft_term'])}, state ${String(s['state'])}, leader ${String(s['leader'])}`;
    const child = cluster.children.get(address);
    const state = !child ? 'never started' : child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : `running, pid ${child.pid}`;
    const tail = child ? (cluster.group.logs.get(child) ?? '').trim().split('\n').slice(-3).join(' / ') : '';
    return `${address}: no answer, process ${state}; last log: ${tail || '(none)'}`;
  });
  return `${campaigns} campaigns logged; ${seen.join('; ')}`;
}

/** nodeLeader, with what each member reported in the error when no leader is agreed. */
export async function clusterLeader(cluster: NodeCluster, timeoutMs = 20_000): Promise<LeaderTerm> {
  try {
    return await nodeLeader(cluster.addresses, cluster.options.password ?? null, timeoutMs);
  } catch (err) {
    const statuses = await Promise.all(cluster.addresses.map((a) => nodeStatus(a, cluster.options.password ?? null)));
    throw new Error(`${(err as Error).message}; ${describeMembers(cluster, statuses)}`);
  }
}
