// -status -cluster and -health -cluster against a real PySyncObj cluster, with none, one and
// two of three members down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { waitFor } from '../support/processes.js';
import { interopSkip, ourAdmin, startPysyncobjCluster, waitForLeader, type PysyncobjCluster } from '../support/pysyncobj-cluster.js';

const skip = interopSkip();

describe('cluster view of a real PySyncObj cluster', { skip }, () => {
  let cluster: PysyncobjCluster;
  let leader: string;
  before(async () => {
    cluster = await startPysyncobjCluster(3, { password: 'cluster-pw' });
    leader = await waitForLeader(cluster);
  });
  after(async () => cluster?.stop());

  test('all up: a row per member, the leader marked, JSON with the same, health exit 0', async () => {
    const table = await ourAdmin(cluster, ['-conn', cluster.addresses[0]!, '-status', '-cluster']);
    assert.equal(table.code, 0, table.stderr);
    for (const a of cluster.addresses) assert.match(table.stdout, new RegExp(`^${a.replace(/\./g, '\\.')} +(leader|follower) `, 'm'));
    assert.doesNotMatch(table.stdout, /\x1b\[/, 'no colour codes in a pipe');
    const json = JSON.parse((await ourAdmin(cluster, ['-conn', cluster.addresses[1]!, '-status', '-cluster', '-json'])).stdout) as { address: string; role: string; lag: number }[];
    assert.deepEqual(json.map((m) => m.address).sort(), [...cluster.addresses].sort());
    assert.equal(json.filter((m) => m.role === 'leader').length, 1);
    assert.equal(json.find((m) => m.role === 'leader')!.address, leader);
    const health = await ourAdmin(cluster, ['-conn', cluster.addresses[2]!, '-health', '-cluster']);
    assert.equal(health.code, ExitCode.ok, health.stdout + health.stderr);
    assert.match(health.stdout, /^healthy: 3 members/);
  });

  test('one follower down: degraded, exit 6, one line naming it; its row says why', async () => {
    const victimIndex = cluster.addresses.findIndex((a) => a !== leader);
    const victim = cluster.addresses[victimIndex]!;
    await cluster.group.stop(cluster.group.children[victimIndex]!);
    const health = await ourAdmin(cluster, ['-conn', leader, '-health', '-cluster', '-timeout', '2']);
    assert.equal(health.code, ExitCode.degraded, health.stdout + health.stderr);
    assert.equal(health.stdout, `degraded: ${victim} refused the connection: is the node running, and is this its port?\n`);
    const table = await ourAdmin(cluster, ['-conn', leader, '-status', '-cluster', '-timeout', '2']);
    assert.equal(table.code, ExitCode.degraded, 'the table exits with the verdict');
    assert.match(table.stdout, new RegExp(`^${victim.replace(/\./g, '\\.')} +down .*\\[1\\] no answer$`, 'm'));
    assert.match(table.stdout, new RegExp(`^\\[1\\] ${victim.replace(/\./g, '\\.')} refused the connection`, 'm'));
  });

  test('two of three down: no quorum, exit 7', async () => {
    const second = cluster.addresses.findIndex((a, i) => a !== leader && cluster.group.children[i]!.exitCode === null && cluster.group.children[i]!.signalCode === null);
    await cluster.group.stop(cluster.group.children[second]!);
    const health = await waitFor('the leader to notice', async () => {
      const r = await ourAdmin(cluster, ['-conn', leader, '-health', '-cluster', '-timeout', '2']);
      return r.code === ExitCode.noQuorum ? r : null;
    }, 15_000, 300);
    assert.match(health.stdout, /does not reach a majority|no member is the leader/);
    const single = await ourAdmin(cluster, ['-conn', leader, '-health']);
    assert.equal(single.code, ExitCode.noQuorum);
  });
});
