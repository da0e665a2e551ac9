// CLI latency: `syncobj-admin -status` with a password against a real PySyncObj node, alternating
// with /usr/bin/syncobj_admin against the same node; medians and the ratio (target: <= 0.6x).

import { spawnSync } from 'node:child_process';
import { OUR_ADMIN, SYNCOBJ_ADMIN, pysyncobjMissing, startPysyncobjCluster } from '../support/pysyncobj-cluster.js';
import { median, ms, percentile } from './stats.js';
import { repoRoot } from '../fixtures/paths.js';
import { nodeLeader, startNodeCluster } from './util.js';

export interface LatencyResult {
  runs: number;
  oursMs: number;
  theirsMs: number;
  nodeBareMs: number;
  /** A bare node that derives PySyncObj's key (PBKDF2-SHA256, 100k rounds) and exits: what any Node CLI pays. */
  nodeKdfMs: number;
  /** Loading the `yargs` package alone in a bare node (the bundle imports it statically). */
  nodeYargsMs: number;
  ratio: number;
}

function timeOnce(command: string, args: string[], expect = 'leader:'): number {
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  const t = performance.now() - t0;
  if (r.status !== 0 || !r.stdout.includes(expect)) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return t;
}

export async function benchCliLatency(runs: number): Promise<LatencyResult | string> {
  const missing = pysyncobjMissing();
  if (missing) return `skipped: ${missing}`;
  const cluster = await startPysyncobjCluster(1, { password: 'bench-secret' });
  try {
    const conn = cluster.addresses[0]!;
    const oursArgs = [OUR_ADMIN, '-conn', conn, '-pass', 'bench-secret', '-status'];
    const theirsArgs = ['-conn', conn, '-pass', 'bench-secret', '-status'];
    for (let i = 0; i < 3; i++) {
      timeOnce(process.execPath, oursArgs);
      timeOnce(SYNCOBJ_ADMIN, theirsArgs);
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    const bare: number[] = [];
    const kdf: number[] = [];
    const yargs: number[] = [];
    const wall = (args: string[]) => {
      const t0 = performance.now();
      spawnSync(process.execPath, args, { cwd: repoRoot });
      return performance.now() - t0;
    };
    for (let i = 0; i < runs; i++) {
      ours.push(timeOnce(process.execPath, oursArgs));
      theirs.push(timeOnce(SYNCOBJ_ADMIN, theirsArgs));
      bare.push(wall(['-e', '0']));
      kdf.push(wall(['-e', "require('node:crypto').pbkdf2Sync('bench-secret', Buffer.alloc(16), 100000, 32, 'sha256')"]));
      yargs.push(wall(['--input-type=module', '-e', "import 'yargs'"]));
    }
    const result = {
      runs,
      oursMs: median(ours),
      theirsMs: median(theirs),
      nodeBareMs: median(bare),
      nodeKdfMs: median(kdf),
      nodeYargsMs: median(yargs),
      ratio: median(ours) / median(theirs),
    };
    return result;
  } finally {
    await cluster.stop();
  }
}

export function latencyTable(r: LatencyResult | string): string {
  if (typeof r === 'string') return `CLI latency: ${r}\n`;
  return [
    `| -status with a password, ${r.runs} alternating runs | median wall | ratio |`,
    '|---|---|---|',
    `| /usr/bin/syncobj_admin (anchor) | ${ms(r.theirsMs)} | 1.00x |`,
    `| syncobj-admin | ${ms(r.oursMs)} | ${r.ratio.toFixed(2)}x (target <= 0.60x) |`,
    `| bare \`node -e 0\` (floor) | ${ms(r.nodeBareMs)} | ${(r.nodeBareMs / r.theirsMs).toFixed(2)}x |`,
    `| bare node + PySyncObj's PBKDF2 (100k rounds) (floor with a password) | ${ms(r.nodeKdfMs)} | ${(r.nodeKdfMs / r.theirsMs).toFixed(2)}x |`,
    `| bare node importing \`yargs\` (loaded by every syncobj-admin run) | ${ms(r.nodeYargsMs)} | ${(r.nodeYargsMs / r.theirsMs).toFixed(2)}x |`,
    '',
  ].join('\n');
}

export interface ClusterCliResult {
  runs: number;
  members: number;
  /** Wall times in ms, by command. */
  single: number[];
  statusCluster: number[];
  healthCluster: number[];
}

/**
 * `-status -cluster` and `-health -cluster` (with a password) against a 5-member syncobj-node cluster,
 * alternating with a plain `-status` of one member as the anchor; target: median under 300 ms.
 */
export async function benchClusterCli(runs: number, members = 5): Promise<ClusterCliResult> {
  const cluster = await startNodeCluster(members, { password: 'bench-secret' });
  try {
    await nodeLeader(cluster.addresses, 'bench-secret');
    const base = [OUR_ADMIN, '-conn', cluster.addresses[0]!, '-pass-file', cluster.passwordFile!];
    const single = [...base, '-status'];
    const status = [...base, '-status', '-cluster'];
    const health = [...base, '-health', '-cluster'];
    for (let i = 0; i < 2; i++) {
      timeOnce(process.execPath, single);
      timeOnce(process.execPath, status, 'leader');
      timeOnce(process.execPath, health, '');
    }
    const r: ClusterCliResult = { runs, members, single: [], statusCluster: [], healthCluster: [] };
    for (let i = 0; i < runs; i++) {
      r.single.push(timeOnce(process.execPath, single));
      r.statusCluster.push(timeOnce(process.execPath, status, cluster.addresses[members - 1]!));
      r.healthCluster.push(timeOnce(process.execPath, health, ''));
    }
    return r;
  } finally {
    await cluster.stop();
  }
}

export function clusterCliTable(r: ClusterCliResult): string {
  const row = (name: string, xs: number[], target: string) =>
    `| ${name} | ${ms(median(xs))} | ${ms(Math.min(...xs))} - ${ms(Math.max(...xs))} | ${ms(percentile(xs, 90))} | ${(median(xs) / median(r.single)).toFixed(2)}x${target} |`;
  return [
    `| syncobj-admin on a ${r.members}-member syncobj-node cluster, password, ${r.runs} alternating runs | median wall | range | p90 | ratio |`,
    '|---|---|---|---|---|',
    row('-status of one member (anchor)', r.single, ''),
    row('-status -cluster', r.statusCluster, ' (target: median < 300 ms)'),
    row('-health -cluster (exit 0)', r.healthCluster, ' (target: median < 300 ms)'),
    '',
  ].join('\n');
}
