// -drain and -undrain with real PySyncObj (issue 10). A released PySyncObj has no election modes and a
// 0.3.11 node's Raft thread dies on an unknown command, so both are refused with nothing sent, and every
// member is still healthy after. And syncobj_admin itself prints a drained syncobj-node's new status
// keys as we do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { NodeCluster } from '../support/node-cluster.js';
import { run } from '../support/processes.js';
import { interopSkip, ourAdmin, startPysyncobjCluster, statusField, SYNCOBJ_ADMIN, waitForLeader, type PysyncobjCluster } from '../support/pysyncobj-cluster.js';

const skip = interopSkip();

describe('-drain and -undrain against a real PySyncObj cluster', { skip }, () => {
  let cluster: PysyncobjCluster;
  let leader: string;
  before(async () => {
    cluster = await startPysyncobjCluster(3, { password: 'drain-pw' });
    leader = await waitForLeader(cluster);
  });
  after(async () => cluster?.stop());

  test('refused with the reason, exit 1, nothing sent; every member still healthy and the leader unchanged', async () => {
    const follower = cluster.addresses.find((a) => a !== leader)!;
    for (const [member, flag] of [[leader, '-drain'], [follower, '-drain'], [leader, '-undrain']] as const) {
      const r = await ourAdmin(cluster, ['-conn', member, flag, '-timeout', '3']);
      assert.equal(r.code, ExitCode.commandFailed, r.stdout + r.stderr);
      const word = flag === '-drain' ? 'DRAIN' : 'UNDRAIN';
      assert.match(r.stdout, new RegExp(`^FAIL ${word} ${member.replace(/\./g, '\\.')}: .* runs PySyncObj 0\\.3\\.11, which has no election modes; nothing was sent`));
      assert.equal(r.stdout.split('\n').length, 2, 'one line');
    }
    for (const member of cluster.addresses) {
      const health = await ourAdmin(cluster, ['-conn', member, '-health', '-timeout', '3']);
      assert.equal(health.code, ExitCode.ok, `${member}: ${health.stdout}${health.stderr}`);
      assert.equal(statusField(await ourAdmin(cluster, ['-conn', member, '-status', '-timeout', '3']), 'leader'), leader);
    }
  });
});

describe('/usr/bin/syncobj_admin against a drained syncobj-node', { skip }, () => {
  let nodes: NodeCluster;
  before(async () => {
    nodes = await NodeCluster.start(3, { fsync: 'never' });
  });
  after(async () => nodes?.stop());

  test('prints drained and election_mode as ours does, byte for byte apart from uptime', async () => {
    const leader = await nodes.waitForLeader();
    const member = nodes.addresses.find((a) => a !== leader)!;
    assert.equal((await nodes.cli(['-conn', member, '-drain'])).code, ExitCode.ok);
    const theirs = await run(SYNCOBJ_ADMIN, ['-conn', member, '-status']);
    const ours = await nodes.cli(['-conn', member, '-status']);
    const withoutUptime = (s: string) => s.replace(/^uptime: \d+\n/m, '');
    assert.equal(withoutUptime(theirs.stdout), withoutUptime(ours.stdout));
    assert.match(theirs.stdout, /^drained: True$/m);
    assert.match(theirs.stdout, /^election_mode: voter$/m);
  });
});
