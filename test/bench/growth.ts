// Cost growth: recovery time (process start to answering status, and to having applied everything)
// and memory of a member whose data dir holds 10^4..10^6 journal entries, with and without a snapshot
// covering them; and commit throughput with 3, 5 and 7 members.

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../src/raft/types.js';
import { encodeKvCommand } from '../../src/node/kv-command.js';
import { KvStateMachine } from '../../src/node/kv-state-machine.js';
import { NodeStorage } from '../../src/node/storage/index.js';
import { NODE_BIN } from '../support/node-cluster.js';
import { freePort, ProcessGroup } from '../support/processes.js';
import { percentile } from './stats.js';
import { nodeRun, type ThroughputParams } from './throughput.js';
import { Budget, fmt, memoryMiB, nodeStatus, progress, ratio, sleep, yes } from './util.js';

export interface GrowthParams {
  entries: number[];
  clusterSizes: number[];
  throughput: ThroughputParams;
  /** Per recovery, from process start to everything applied. */
  recoveryTimeoutMs: number;
  budgetMs: number;
}

const SIZES_LOAD = { concurrency: 64, sequentialNode: 0, sequentialPy: 0 };
export const GROWTH_FULL: GrowthParams = {
  entries: [1e4, 1e5, 1e6],
  clusterSizes: [3, 5, 7],
  throughput: { ...SIZES_LOAD, warmupMs: 1000, durationMs: 3000 },
  recoveryTimeoutMs: 60_000,
  budgetMs: 150_000,
};
export const GROWTH_QUICK: GrowthParams = {
  entries: [1e4, 1e5],
  clusterSizes: [3, 5, 7],
  throughput: { ...SIZES_LOAD, warmupMs: 500, durationMs: 1500 },
  recoveryTimeoutMs: 30_000,
  budgetMs: 60_000,
};

/** Keys cycle through this many names, so the map (and a snapshot of it) stays the same size as the journal grows. */
const KEY_SPACE = 10_000;
const BATCH = 5_000;

export interface Recovery {
  entries: number;
  snapshot: boolean;
  writeMs: number;
  journalMiB: number;
  statusMs: number;
  appliedMs: number;
  rssMiB: number;
  peakMiB: number;
}

/** Writes `n` committed entries (and optionally a snapshot at n) straight through NodeStorage, unsynced. */
export async function prepareDataDir(dir: string, self: string, n: number, snapshot: boolean): Promise<number> {
  const t0 = performance.now();
  const { storage } = await NodeStorage.open({ dir, self, fsync: 'never' });
  try {
    const kv = snapshot ? new KvStateMachine() : null;
    for (let first = 1; first <= n; first += BATCH) {
      const batch: Entry[] = [];
      for (let i = first; i < first + BATCH && i <= n; i++) {
        const data = encodeKvCommand({ op: 'set', key: `k${i % KEY_SPACE}`, value: String(i).padStart(10, '0').slice(-10) });
        batch.push({ index: i, term: 1, kind: 'command', data });
        kv?.applyCommand(i, data);
      }
      await storage.append(batch);
    }
    await storage.saveHardState({ term: 1, vote: self, commit: n });
    if (kv) await storage.saveSnapshot({ meta: { index: n, term: 1, voters: [self], learners: [], codeVersion: 0 }, data: kv.serialize() });
  } finally {
    await storage.close();
  }
  return performance.now() - t0;
}

function dirMiB(dir: string): number {
  let bytes = 0;
  for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
  return bytes / 2 ** 20;
}

export async function recovery(n: number, snapshot: boolean, timeoutMs: number): Promise<Recovery> {
  const root = mkdtempSync(join(tmpdir(), 'syncobj-bench-growth-'));
  const group = new ProcessGroup();
  try {
    const self = `127.0.0.1:${await freePort()}`;
    const dir = join(root, 'data');
    const writeMs = n > 0 ? await prepareDataDir(dir, self, n, snapshot) : 0;
    const journalMiB = n > 0 ? dirMiB(dir) : 0;
    const t0 = performance.now();
    const child = group.start(process.execPath, [NODE_BIN, '--self', self, '--partners', '', '--data-dir', dir, '--fsync', 'never', '--compact-every', '1000000000']);
    const end = t0 + timeoutMs;
    let statusMs = NaN;
    let appliedMs = NaN;
    while (performance.now() < end && child.exitCode === null) {
      const s = await nodeStatus(self, null, 2000);
      if (s !== null) {
        if (Number.isNaN(statusMs)) statusMs = performance.now() - t0;
        if (Number(s['last_applied']) >= n && s['state'] === 2) {
          appliedMs = performance.now() - t0;
          break;
        }
      }
      await sleep(5);
    }
    if (Number.isNaN(appliedMs)) throw new Error(`a member with ${n} entries did not recover within ${timeoutMs} ms: ${group.logs.get(child)?.slice(-500)}`);
    await sleep(200);
    const mem = memoryMiB(child.pid!);
    return { entries: n, snapshot, writeMs, journalMiB, statusMs, appliedMs, rssMiB: mem.rss, peakMiB: mem.peak };
  } finally {
    await group.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

export interface GrowthResult {
  params: GrowthParams;
  recoveries: Recovery[];
  sizes: { members: number; opsPerSec: number; p50: number; p99: number; failures: number; stable: boolean; elections: string[] }[];
  notes: string[];
}

export async function benchGrowth(p: GrowthParams): Promise<GrowthResult> {
  const budget = new Budget(p.budgetMs);
  const result: GrowthResult = { params: p, recoveries: [], sizes: [], notes: [] };
  for (const members of p.clusterSizes) {
    if (budget.left() < p.budgetMs * 0.5) {
      result.notes.push(`skipped ${members} members: time budget`);
      continue;
    }
    progress(`growth: throughput with ${members} members`);
    const r = await nodeRun(members, 'never', p.throughput, false);
    const l = r.load.latenciesMs;
    result.sizes.push({
      members,
      opsPerSec: r.load.opsPerSec,
      p50: percentile(l, 50),
      p99: percentile(l, 99),
      failures: r.load.failures,
      stable: r.before.leader === r.after.leader && r.before.term === r.after.term,
      elections: r.elections,
    });
  }
  progress('growth: empty data dir (anchor)');
  result.recoveries.push(await recovery(0, false, p.recoveryTimeoutMs));
  for (const n of p.entries) {
    for (const snapshot of [false, true]) {
      // Cost grows about linearly with the entries: skip a size above 10^5 that the budget cannot hold.
      const last = result.recoveries.filter((x) => x.snapshot === snapshot && x.entries > 0).pop();
      const fixed = result.recoveries[0]!.appliedMs;
      const predicted = last ? ((last.writeMs + Math.max(0, last.appliedMs - fixed)) * n) / last.entries + fixed : 0;
      if (n > 100_000 && budget.left() < predicted * 1.5 + 2000) {
        result.notes.push(`skipped ${n.toLocaleString('en-US')} entries${snapshot ? ' with a snapshot' : ''}: about ${Math.round(predicted / 1000)} s predicted, ${Math.max(0, Math.round(budget.left() / 1000))} s of the time budget left`);
        continue;
      }
      progress(`growth: recovery with ${n} entries${snapshot ? ' and a snapshot' : ''}`);
      result.recoveries.push(await recovery(n, snapshot, Math.min(p.recoveryTimeoutMs, Math.max(10_000, budget.left()))));
    }
  }
  return result;
}

export function growthTables(r: GrowthResult): string {
  const anchor = r.recoveries[0]!;
  const out = [
    `### Recovery of one member (single-member cluster, --fsync never): process start to answering status, and to having applied every entry; memory once applied. Keys cycle over ${KEY_SPACE} names, 10-byte values.`,
    '',
    '| journal entries | snapshot at the last entry | data dir MiB | to status ms | to all applied ms | applied ratio to empty | RSS MiB | peak RSS MiB | RSS ratio to empty |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const x of r.recoveries) {
    const name = x.entries === 0 ? '0 (empty data dir, anchor)' : x.entries.toLocaleString('en-US');
    out.push(
      `| ${name} | ${x.entries === 0 ? '-' : x.snapshot ? 'yes' : 'no'} | ${fmt(x.journalMiB)} | ${fmt(x.statusMs, 0)} | ${fmt(x.appliedMs, 0)} | ${ratio(x.appliedMs, anchor.appliedMs)} | ${fmt(x.rssMiB, 0)} | ${fmt(x.peakMiB, 0)} | ${ratio(x.rssMiB, anchor.rssMiB)} |`,
    );
  }
  const base = r.sizes[0];
  out.push(
    '',
    `### Throughput by cluster size: syncobj-node --fsync never, ${r.params.throughput.concurrency} writes in flight to the leader, ${r.params.throughput.durationMs / 1000} s`,
    '',
    '| members | ops/s | p50 ms | p99 ms | failed | same leader and term after | ops/s ratio to 3 members |',
    '|---|---|---|---|---|---|---|',
  );
  const changed = r.sizes.filter((s) => s.elections.length > 0);
  for (const s of r.sizes) out.push(`| ${s.members} | ${fmt(s.opsPerSec, 0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.failures} | ${yes(s.stable)} | ${base ? ratio(s.opsPerSec, base.opsPerSec) : 'n/a'} |`);
  for (const s of changed) out.push('', `Leadership changed under load with ${s.members} members; the members logged: ${s.elections.slice(0, 8).map((l) => '`' + l + '`').join('; ')}`);
  for (const n of r.notes) out.push('', `Note: ${n}`);
  out.push('');
  return out.join('\n');
}
