// Split views on syncobj-node (issue 10): one verdict whichever member -conn names. A member of
// the configuration restarted empty with no partners leads a cluster of its own (8 from every
// member of the leader's configuration); a removed leader
// restarted on its old data dir is not a member (0 through the members, 'not a member' and 6
// when asked directly).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { ExitCode } from '../../src/errors.js';
import { freePort, run, waitFor } from '../support/processes.js';
import { ADMIN_BIN, NodeCluster } from '../support/node-cluster.js';

const re = (address: string) => address.replace(/\./g, '\\.');

describe('split views on syncobj-node', () => {
  let cluster: NodeCluster;
  before(async () => {
    cluster = await NodeCluster.start(3, { password: 'split-view' });
  });
  after(async () => cluster?.stop());

  const cli = (member: string, args: string[]) => run(process.execPath, [ADMIN_BIN, '-conn', member, ...args, '-pass-file', cluster.passwordFile!, '-timeout', '3'], { timeoutMs: 30_000 });
  const healthFrom = async (members: string[]) => Promise.all(members.map(async (m) => ({ m, r: await cli(m, ['-health', '-cluster']) })));

  test('a member of the configuration restarted empty with no partners: one verdict from every member of the configuration (8 while it leads alone)', async () => {
    const leader = await cluster.waitForLeader();
    const lone = `127.0.0.1:${await freePort()}`;
    cluster.startMember(lone, ['--join'], cluster.addresses);
    assert.match(String(await cluster.admin(leader, 'add', lone)), /^SUCCESS ADD /);
    await waitFor('the new member to follow the leader', async () => {
      const s = await cluster.status(lone).catch(() => null);
      return s?.['leader'] === leader ? s : null;
    });
    await cluster.kill(lone);
    await rm(cluster.dataDir(lone), { recursive: true, force: true });
    cluster.startMember(lone, [], []);
    // The empty member knows only itself, and the race between its own election and the leader's
    // heartbeats decides what it becomes: a leader alone beside the real one (even in the same term:
    // the two configurations share no majority), or a follower. Whichever settles, the three members
    // of the configuration must give one verdict: 8 while it leads, 0 when it follows.
    const settled = await waitFor('one verdict from the three members that matches what the empty member does', async () => {
      const answers = await healthFrom(cluster.addresses);
      const alone = (await cluster.status(lone).catch(() => null))?.['state'] === 2;
      const codes = new Set(answers.map(({ r }) => r.code));
      return codes.size === 1 && codes.has(alone ? ExitCode.diverged : ExitCode.ok) ? { answers, alone } : null;
    }, 25_000);
    process.stderr.write(`# the empty member ${settled.alone ? 'leads alone' : 'follows the leader'}\n`);
    if (settled.alone) {
      for (const { m, r } of settled.answers) {
        assert.match(r.stdout, new RegExp(`^diverged: two leaders: \\S+ \\(term \\d+, followed by 3 of the 4 members it names\\) and ${re(lone)} `, 'm'), `asked ${m}`);
      }
      const table = await cli(cluster.addresses[0]!, ['-status', '-cluster']);
      assert.equal(table.code, ExitCode.diverged);
      assert.match(table.stdout, new RegExp(`^${re(lone)} +leader .*also leads`, 'm'));
      const itself = await cli(lone, ['-health', '-cluster']);
      assert.match(itself.stdout, /^healthy: 1 member, .*can speak only for itself/);
    } else {
      for (const { r } of settled.answers) assert.match(r.stdout, /^healthy: 4 members, /);
      // Asked directly, the follower that knows no partners finds the cluster through its leader.
      const itself = await cli(lone, ['-health', '-cluster']);
      assert.equal(itself.code, ExitCode.ok, itself.stdout + itself.stderr);
    }
    // Back to three members for the next case.
    await cluster.kill(lone);
    await waitFor('the empty member to be removed', async () => ((await cluster.admin(await cluster.waitForLeader(), 'remove', lone)) === `SUCCESS REMOVE ${lone}` ? true : null), 20_000, 300);
    await waitFor('three healthy members again', async () => ((await healthFrom(cluster.addresses)).every(({ r }) => r.code === ExitCode.ok) ? true : null));
  });

  test('the removed leader restarted on its old data dir: 0 through the members, "not a member" and 6 asked directly', async () => {
    const leader = await cluster.waitForLeader();
    const others = cluster.addresses.filter((a) => a !== leader);
    assert.equal(await cluster.admin(others[0]!, 'remove', leader), `SUCCESS REMOVE ${leader}`, 'the leader hands over, then is removed');
    const newLeader = await cluster.waitForLeader(others);
    await cluster.kill(leader);
    cluster.startMember(leader);
    await waitFor('the removed leader to answer again', () => cluster.status(leader).catch(() => null));
    for (const { m, r } of await healthFrom(others)) {
      assert.equal(r.code, ExitCode.ok, `asked ${m}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^healthy: 2 members, /);
    }
    const direct = await cli(leader, ['-health', '-cluster']);
    assert.equal(direct.code, ExitCode.degraded, direct.stdout + direct.stderr);
    assert.match(direct.stdout, new RegExp(`^degraded: ${re(leader)} is not a member of the cluster led by ${re(newLeader)} \\(term \\d+\\)`));
    const table = await cli(leader, ['-status', '-cluster']);
    assert.equal(table.code, ExitCode.degraded);
    assert.match(table.stdout, new RegExp(`^${re(leader)} +non-member `, 'm'));
    assert.doesNotMatch(table.stdout, new RegExp(`^${re(leader)} +follower `, 'm'));
  });
});
