// Issue 14 against a real PySyncObj cluster: -health -cluster -wait and -prometheus work as on
// syncobj-node, and examples/rolling-restart.sh stops at its first -drain with exit 1, saying where,
// having restarted nothing and changed nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { repoRoot } from '../fixtures/paths.js';
import { run } from '../support/processes.js';
import { readExposition } from '../support/prometheus-text.js';
import { interopSkip, ourAdmin, startPysyncobjCluster, statusField, waitForLeader, type PysyncobjCluster } from '../support/pysyncobj-cluster.js';

const skip = interopSkip();
const SCRIPT = join(repoRoot, 'examples', 'rolling-restart.sh');

describe('issue 14 against a real PySyncObj cluster', { skip }, () => {
  let cluster: PysyncobjCluster;
  let leader: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syncobj-rolling-'));
    cluster = await startPysyncobjCluster(3, { password: 'rolling-pw' });
    leader = await waitForLeader(cluster);
  });
  after(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('-health -cluster -wait answers healthy with waited_ms; -prometheus has no syncobj_drained', async () => {
    const waited = await ourAdmin(cluster, ['-conn', cluster.addresses[0]!, '-health', '-cluster', '-wait', '20', '-json', '-timeout', '3']);
    assert.equal(waited.code, ExitCode.ok, waited.stdout + waited.stderr);
    const verdict = JSON.parse(waited.stdout) as { healthy: boolean; leader: string; waited_ms: number };
    assert.deepEqual([verdict.healthy, verdict.leader, typeof verdict.waited_ms], [true, leader, 'number']);
    const metrics = await ourAdmin(cluster, ['-conn', cluster.addresses[1]!, '-status', '-cluster', '-prometheus', '-timeout', '3']);
    assert.equal(metrics.code, ExitCode.ok, metrics.stdout + metrics.stderr);
    const m = readExposition(metrics.stdout);
    assert.deepEqual(Object.fromEntries(m.get('syncobj_leader')!), Object.fromEntries(cluster.addresses.map((a) => [a, a === leader ? 1 : 0])));
    assert.equal(m.get('syncobj_up')!.size, 3);
    assert.equal(m.has('syncobj_drained'), false, 'PySyncObj reports no drain');
  });

  test('the rolling restart stops at the first -drain, exit 1, with nothing restarted and nothing changed', async () => {
    const before = await Promise.all(cluster.addresses.map((a) => ourAdmin(cluster, ['-conn', a, '-status', '-timeout', '3'])));
    const passwordFile = join(dir, 'pw');
    writeFileSync(passwordFile, 'rolling-pw\n', { mode: 0o600 });
    const marker = join(dir, 'restarted');
    const r = await run('bash', [SCRIPT, '-p', passwordFile, '-w', '20', '-r', `touch '${marker}'`, ...cluster.addresses], {
      env: { ...process.env, SYNCOBJ_ADMIN: join(repoRoot, 'bin', 'syncobj-admin') },
      timeoutMs: 60_000,
    });
    const first = cluster.addresses[0]!.replace(/\./g, '\\.');
    assert.equal(r.code, ExitCode.commandFailed, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^FAIL DRAIN ${first}: .*runs PySyncObj 0\\.3\\.11, which has no election modes; nothing was sent`, 'm'));
    assert.match(r.stderr, new RegExp(`^rolling-restart\\.sh: stopped at ${first} \\(1 of 3\\), step drain: exit code 1$`, 'm'));
    assert.doesNotMatch(r.stderr, /still drained/, 'nothing was drained');
    assert.doesNotMatch(r.stdout, /: restart: /, 'no restart was started');
    assert.equal(existsSync(marker), false, 'the restart command never ran');
    for (const [i, member] of cluster.addresses.entries()) {
      const now = await ourAdmin(cluster, ['-conn', member, '-status', '-timeout', '3']);
      // Compared with what it said just before the script ran: a PySyncObj cluster on a loaded machine
      // may re-elect by itself between the suite's start and this test.
      assert.equal(statusField(now, 'leader'), statusField(before[i]!, 'leader'), `${member}: the leader unchanged`);
      assert.equal(statusField(now, 'raft_term'), statusField(before[i]!, 'raft_term'), `${member}: the term unchanged`);
      assert.ok(Number(statusField(now, 'uptime')) >= Number(statusField(before[i]!, 'uptime')), `${member} was not restarted`);
    }
  });
});
