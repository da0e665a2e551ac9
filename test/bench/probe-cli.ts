// Diagnostic, not part of `npm run bench`: where one syncobj-admin run spends its wall time. Runs the CLI
// with a preloaded hook that timestamps (ms since process start) the end of Node's bootstrap, every
// outgoing connection, the first bytes received on it, and the exit; against a 1-member PySyncObj node
// (-status with a password) and a 5-member syncobj-node cluster (-status -cluster, -health -cluster).
// `node dist/test/bench/probe-cli.js [runs]`

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUR_ADMIN, pysyncobjMissing, startPysyncobjCluster } from '../support/pysyncobj-cluster.js';
import { median } from './stats.js';
import { startNodeCluster } from './util.js';

const runs = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'syncobj-probe-cli-'));
const hook = join(dir, 'hook.mjs');
writeFileSync(
  hook,
  `import dc from 'node:diagnostics_channel';
const marks = [['main', performance.now()]];
let n = 0;
dc.subscribe('net.client.socket', ({ socket }) => {
  const id = ++n;
  marks.push(['connect' + id, performance.now()]);
  socket.once('data', () => marks.push(['reply' + id, performance.now()]));
});
process.on('exit', () => {
  marks.push(['exit', performance.now()]);
  process.stderr.write('MARKS ' + JSON.stringify(Object.fromEntries(marks)) + '\\n');
});
`,
);

function profile(label: string, args: string[]): void {
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', hook, OUR_ADMIN, ...args], { encoding: 'utf8' });
    const wall = performance.now() - t0;
    const line = r.stderr.split('\n').find((l) => l.startsWith('MARKS '));
    if (!line) throw new Error(`${label}: no marks (exit ${r.status}): ${r.stderr}`);
    if (i > 0) rows.push({ ...(JSON.parse(line.slice(6)) as Record<string, number>), wall });
  }
  const keys = Object.keys(rows[0]!).filter((k) => rows.every((r) => k in r));
  console.log(`\n${label} (median of ${runs}; ms since the process started):`);
  for (const k of keys) console.log(`  ${k.padEnd(10)} ${median(rows.map((r) => r[k]!)).toFixed(1)}`);
}

try {
  if (!pysyncobjMissing()) {
    const py = await startPysyncobjCluster(1, { password: 'bench-secret' });
    try {
      profile('-status with a password against PySyncObj', ['-conn', py.addresses[0]!, '-pass', 'bench-secret', '-status']);
    } finally {
      await py.stop();
    }
  }
  const cluster = await startNodeCluster(5, { password: 'bench-secret' });
  try {
    const base = ['-conn', cluster.addresses[0]!, '-pass-file', cluster.passwordFile!];
    profile('-status -cluster, 5 syncobj-node members', [...base, '-status', '-cluster']);
    profile('-health -cluster, 5 syncobj-node members', [...base, '-health', '-cluster']);
  } finally {
    await cluster.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
