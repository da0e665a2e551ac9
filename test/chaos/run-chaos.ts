// One chaos run: a cluster behind link proxies, concurrent clients writing and reading through KvClient,
// a seeded fault schedule, then heal, read every key linearizably, and check the whole history.

import { KvClient } from 'syncobj-admin';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import { Prng } from '../sim/prng.js';
import { ChaosCluster, type UnexpectedExit } from './chaos-cluster.js';
import { checkHistory, findLostWrites, type KeyResult, type LostWrite } from './checker.js';
import { FAULT_KINDS, injectFault, type FaultKind, type FaultRecord } from './faults.js';
import { History, type HistoryOp } from './history.js';
import { SingleAttemptClient, SingleAttemptError } from './single-attempt-client.js';

export interface ChaosOptions {
  seconds: number;
  seed: number;
  size?: number;
  clients?: number;
  keys?: number;
  fsync?: 'always' | 'never';
  /**
   * kv-client: the shipped KvClient (follows the leader, retries within its deadline).
   * single-attempt: each request sent at most once, so the history tests the nodes alone.
   */
  client?: 'kv-client' | 'single-attempt';
  nodeBin?: string;
  /** Restrict the schedule to these kinds (default: all). */
  faultKinds?: readonly FaultKind[];
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  operations: number;
  counts: { ok: number; unknown: number; fail: number };
  faults: FaultRecord[];
  violations: string[];
  inconclusiveKeys: string[];
  keyResults: KeyResult[];
  lostWrites: LostWrite[];
  unexpectedExits: UnexpectedExit[];
  history: HistoryOp[];
  elapsedMs: number;
}

const CLIENT_TIMEOUT_MS = 3000;
const FINAL_READ_TIMEOUT_MS = 20_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const random = new Prng(options.seed);
  const faultRandom = random.fork();
  const size = options.size ?? 3;
  const keys = Array.from({ length: options.keys ?? 4 }, (_, i) => `k${i}`);
  const kinds = options.faultKinds ?? FAULT_KINDS;
  const history = new History();
  const faults: FaultRecord[] = [];
  const violations: string[] = [];
  const cluster = await ChaosCluster.start({ size, fsync: options.fsync ?? 'never', log, ...(options.nodeBin ? { nodeBin: options.nodeBin } : {}) }, random.fork());
  const noPasswordKey = await deriveNativeKey(null);
  const normal = new Set(cluster.addresses);
  log(`chaos: ${size} members ${cluster.addresses.join(',')}, data in ${cluster.dir}, seed ${options.seed}`);
  let keepDir = false;
  try {
    await waitForLeader(cluster, 30_000);
    const end = performance.now() + options.seconds * 1000;

    interface Client {
      set(key: string, value: string): Promise<unknown>;
      del(key: string): Promise<unknown>;
      get(key: string): Promise<string | null>;
      close(): void;
    }
    const newClient = (): Client =>
      options.client === 'single-attempt'
        ? new SingleAttemptClient(cluster.addresses, noPasswordKey, CLIENT_TIMEOUT_MS)
        : new KvClient({ members: cluster.addresses, password: null, timeoutMs: CLIENT_TIMEOUT_MS });
    const workload = Array.from({ length: options.clients ?? 5 }, async (_, c) => {
      const r = random.fork();
      let client = newClient();
      let n = 0;
      while (performance.now() < end) {
        const key = r.pick(keys);
        const roll = r.next();
        const kind = roll < 0.45 ? 'set' : roll < 0.9 ? 'get' : 'del';
        const op = history.invoke(c, key, kind, kind === 'set' ? `c${c}-${n++}` : null);
        try {
          if (kind === 'set') await client.set(key, op.value!);
          else if (kind === 'del') await client.del(key);
          else {
            history.ok(op, await client.get(key));
            continue;
          }
          history.ok(op);
        } catch (err) {
          const message = (err as Error).message.slice(0, 160);
          if (err instanceof SingleAttemptError && err.notSent) {
            history.fail(op, message);
            await sleep(50);
          } else {
            history.unknown(op, message);
            if (!(err instanceof SingleAttemptError)) {
              client.close();
              client = newClient();
            }
          }
        }
      }
      client.close();
    });

    const schedule = (async () => {
      await sleep(500 + faultRandom.int(1000));
      while (performance.now() < end - 1500) {
        const kind = faultRandom.pick(kinds);
        const at = (performance.now() - started) / 1000;
        const detail = await injectFault(cluster, kind, faultRandom, normal);
        const heldMs = Math.min(300 + faultRandom.int(3500), Math.max(0, end - performance.now()));
        log(`[${at.toFixed(1)} s] fault ${faults.length + 1}: ${kind}: ${detail} for ${heldMs} ms`);
        faults.push({ at, kind, detail, heldMs });
        await sleep(heldMs);
        await cluster.heal(normal);
        await sleep(200 + faultRandom.int(1500));
      }
    })();

    await Promise.all([schedule, ...workload]);
    await cluster.heal(normal);
    const leader = await waitForLeader(cluster, 30_000).catch(() => null);
    if (leader === null) violations.push('no leader within 30 s after healing every fault');

    const finalValues = new Map<string, string | null>();
    const reader = new KvClient({ members: cluster.addresses, password: null, timeoutMs: FINAL_READ_TIMEOUT_MS });
    try {
      for (const key of keys) {
        const op = history.invoke(-1, key, 'get');
        try {
          const value = await reader.get(key);
          history.ok(op, value);
          finalValues.set(key, value);
        } catch (err) {
          history.unknown(op, (err as Error).message);
          violations.push(`the healed cluster did not answer a read of ${key}: ${(err as Error).message}`);
        }
      }
    } finally {
      reader.close();
    }

    const check = checkHistory(history.ops);
    for (const k of check.keys) if (k.verdict === 'violation') violations.push(`key ${k.key} is not linearizable:\n${k.explanation}`);
    const lostWrites = findLostWrites(history.ops, finalValues);
    for (const l of lostWrites) violations.push(`lost write on ${l.key}: ${l.explanation}`);
    for (const e of cluster.unexpectedExits) violations.push(`member ${e.address} exited by itself (code ${e.code}, signal ${e.signal})`);
    keepDir = violations.length > 0;
    if (keepDir) log(`chaos: keeping the data dirs in ${cluster.dir} for inspection`);
    return {
      seed: options.seed,
      operations: history.ops.length,
      counts: history.counts(),
      faults,
      violations,
      inconclusiveKeys: check.keys.filter((k) => k.verdict === 'inconclusive').map((k) => k.key),
      keyResults: check.keys,
      lostWrites,
      unexpectedExits: cluster.unexpectedExits,
      history: history.ops,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await cluster.stop(keepDir);
  }
}

async function waitForLeader(cluster: ChaosCluster, timeoutMs: number): Promise<string> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const leader = await cluster.leader();
    if (leader !== null) return leader;
    await sleep(100);
  }
  throw new Error(`no leader within ${timeoutMs} ms`);
}

export function summaryLine(result: ChaosResult): string {
  return `chaos: ${result.operations} operations, ${result.faults.length} faults injected, ${result.violations.length} violations (seed ${result.seed})`;
}
