// Diagnostic, not part of `npm run bench`: where the CPU goes under the closed-loop load. Runs a
// 3-member syncobj-node cluster with every member under --cpu-prof, drives it from this process, and
// prints each process's CPU time (from /proc) against the wall time, then the hottest functions per
// member. `node dist/test/bench/probe-throughput.js [seconds] [inFlight] [never|always]` (the fsync
// policy, default never); CODE_VERSION=0 runs it before the binary commands and 64-bit digest.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, kvWriter } from './load.js';
import { NODE_BIN, NodeCluster } from '../support/node-cluster.js';
import { freePorts } from '../support/processes.js';
import { BENCH_CODE_VERSION, nodeLeader } from './util.js';

const seconds = Number(process.argv[2] ?? 4);
const inFlight = Number(process.argv[3] ?? 64);
const fsync = process.argv[4] === 'always' ? 'always' : 'never';
const profDir = mkdtempSync(join(tmpdir(), 'syncobj-prof-'));

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

// NodeCluster.startMember, with the node under --cpu-prof (not allowed in NODE_OPTIONS).
const cluster = new NodeCluster((await freePorts(3)).map((p) => `127.0.0.1:${p}`), { fsync });
for (const a of cluster.addresses) {
  const args = ['--partners', cluster.addresses.filter((x) => x !== a).join(','), '--data-dir', join(cluster.dir, a.replace(':', '_')), '--fsync', fsync];
  cluster.children.set(a, cluster.group.start(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, NODE_BIN, '--self', a, ...args]));
}
const pids = new Map<number, string>();
try {
  const { leader } = await nodeLeader(cluster.addresses);
  await cluster.admin(leader, 'set_version', Number(process.env['CODE_VERSION'] ?? BENCH_CODE_VERSION));
  for (const [a, c] of cluster.children) pids.set(c.pid!, a === leader ? `leader ${a}` : `follower ${a}`);
  const writers = Array.from({ length: 4 }, () => kvWriter([leader]));
  await closedLoop(writers, inFlight / 4, 500, 0, 'w');
  const before = new Map([...pids.keys()].map((p) => [p, cpuMs(p)]));
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await closedLoop(writers, inFlight / 4, seconds * 1000, 0, 'm');
  const wall = performance.now() - t0;
  const self = process.cpuUsage(self0);
  console.log(`${r.opsPerSec.toFixed(0)} ops/s over ${(wall / 1000).toFixed(1)} s, ${inFlight} in flight, --fsync ${fsync}`);
  console.log(`load generator (this process): ${(((self.user + self.system) / 1000 / wall) * 100).toFixed(0)}% of one core`);
  for (const [pid, name] of pids) console.log(`${name}: ${(((cpuMs(pid) - before.get(pid)!) / wall) * 100).toFixed(0)}% of one core`);
  writers.forEach((w) => w.close());
  for (const c of cluster.children.values()) await cluster.group.stop(c, 'SIGTERM');
} finally {
  await cluster.stop();
}

for (const f of readdirSync(profDir)) {
  const pid = Number(f.split('.')[3]);
  const p = JSON.parse(readFileSync(join(profDir, f), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const cf = byId.get(id)!.callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + p.timeDeltas[i]!);
    total += p.timeDeltas[i]!;
  });
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(`\n== ${pids.get(pid) ?? pid}: ${((1 - idle / total) * 100).toFixed(0)}% busy over the profile; hottest self time (% of busy):`);
  for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${((v / (total - idle)) * 100).toFixed(1).padStart(5)}%  ${k}`);
}
