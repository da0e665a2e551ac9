// Diagnostic, not part of `npm run bench`: where a restart with a long journal spends its time. Writes N
// entries with NodeStorage, starts syncobj-node on them under --cpu-prof, and prints the time to the
// "listening" log line, to answering status, and to everything applied, then the hottest functions.
// `node dist/test/bench/probe-recovery.js [entries]`

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_BIN } from '../support/node-cluster.js';
import { freePort, ProcessGroup } from '../support/processes.js';
import { prepareDataDir } from './growth.js';
import { memoryMiB, nodeStatus, sleep } from './util.js';

const n = Number(process.argv[2] ?? 100_000);
const root = mkdtempSync(join(tmpdir(), 'syncobj-probe-recovery-'));
const group = new ProcessGroup();
try {
  const self = `127.0.0.1:${await freePort()}`;
  const dir = join(root, 'data');
  const writeMs = await prepareDataDir(dir, self, n, false);
  const prof = join(root, 'prof');
  const t0 = performance.now();
  const child = group.start(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${prof}`, NODE_BIN, '--self', self, '--partners', '', '--data-dir', dir, '--fsync', 'never', '--compact-every', '1000000000']);
  let listening = NaN;
  let status = NaN;
  let applied = NaN;
  while (performance.now() - t0 < 120_000) {
    if (Number.isNaN(listening) && group.logs.get(child)!.includes('start: listening')) listening = performance.now() - t0;
    const s = await nodeStatus(self, null, 2000);
    if (s && Number.isNaN(status)) status = performance.now() - t0;
    if (s && Number(s['last_applied']) >= n) {
      applied = performance.now() - t0;
      break;
    }
    await sleep(5);
  }
  const mem = memoryMiB(child.pid!);
  console.log(`${n} entries (written in ${writeMs.toFixed(0)} ms): "listening" logged by ${listening.toFixed(0)} ms, status by ${status.toFixed(0)} ms, all applied by ${applied.toFixed(0)} ms; RSS ${mem.rss.toFixed(0)} MiB`);
  await group.stop(child, 'SIGTERM');
  for (const f of readdirSync(prof)) {
    const p = JSON.parse(readFileSync(join(prof, f), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(p.nodes.map((x) => [x.id, x]));
    const self = new Map<string, number>();
    const incl = new Map<string, number>();
    const parent = new Map<number, number>();
    for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
    let total = 0;
    p.samples.forEach((id, i) => {
      const dt = p.timeDeltas[i]!;
      total += dt;
      const name = (cf: { functionName: string; url: string; lineNumber: number }) => `${cf.functionName || '(anon)'} ${cf.url.replace(/.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber}`;
      self.set(name(byId.get(id)!.callFrame), (self.get(name(byId.get(id)!.callFrame)) ?? 0) + dt);
      const seen = new Set<string>();
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const k = name(byId.get(x)!.callFrame);
        if (!seen.has(k) && k.includes('dist/src')) incl.set(k, (incl.get(k) ?? 0) + dt);
        seen.add(k);
      }
    });
    console.log(`profile: ${(total / 1000).toFixed(0)} ms sampled; hottest self time:`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
    console.log('our functions, inclusive:');
    for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
} finally {
  await group.stopAll();
  rmSync(root, { recursive: true, force: true });
}
