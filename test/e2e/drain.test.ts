// -drain / -undrain against real syncobj-node processes (issue 10): a drained leader hands over and the
// new leader confirms it; a drained follower changes nothing else; the last member able to lead is
// refused; a drained member that restarts (with --election-mode candidate on its command line) does
// not win even with the most up-to-date log, and -undrain gives it back the mode it had.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { NodeCluster } from '../support/node-cluster.js';
import { waitFor } from '../support/processes.js';

const line1 = (s: string) => s.split('\n')[0];

describe('drain and undrain against syncobj-node', () => {
  let cluster: NodeCluster;
  /** The first leader, drained by the first test. */
  let drained: string;
  before(async () => {
    cluster = await NodeCluster.start(3, { password: 'drain-secret', fsync: 'never' });
  });
  after(async () => cluster?.stop());

  test('-drain of the leader: SUCCESS DRAIN once another member confirmed it leads; -status shows it drained', async () => {
    drained = await cluster.waitForLeader();
    const r = await cluster.cli(['-conn', drained, '-drain', '-json']);
    assert.equal(r.code, ExitCode.ok, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout) as { ok: boolean; reply: string; old_leader: string; new_leader: string; election_mode: string; term: number };
    assert.equal(result.reply, `SUCCESS DRAIN ${drained}`);
    assert.equal(result.old_leader, drained);
    assert.notEqual(result.new_leader, drained);
    assert.equal(result.election_mode, 'voter');
    assert.ok(result.term > 1, 'the new leader confirmed a newer term');
    assert.equal(await cluster.waitForLeader(), result.new_leader);
    const status = await cluster.cliStatus(drained);
    assert.equal(status?.['drained'], true);
    assert.equal(status?.['election_mode'], 'voter');
    // The Python-style text form, as syncobj_admin prints it too.
    const text = await cluster.cli(['-conn', drained, '-status']);
    assert.match(text.stdout, /^drained: True$/m);
    assert.match(text.stdout, /^election_mode: voter$/m);
  });

  test('-drain of a follower changes nothing else; then draining the last member able to lead is refused', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.addresses.find((a) => a !== leader && a !== drained)!;
    const before = await cluster.cliStatus(leader);
    const r = await cluster.cli(['-conn', follower, '-drain']);
    assert.equal(r.code, ExitCode.ok, r.stdout + r.stderr);
    assert.equal(r.stdout, `SUCCESS DRAIN ${follower}\n`, 'one line in a pipe');
    const after = await cluster.cliStatus(leader);
    assert.equal(after?.['leader'], leader, 'leadership did not move');
    assert.equal(after?.['raft_term'], before?.['raft_term'], 'no election happened');

    // Both others are drained now: the leader must stay able to lead. The leader hears the follower's
    // new mode with its next heartbeat reply; wait for that rather than race it.
    const refused = await waitFor('the leader to refuse its own drain', async () => {
      const attempt = await cluster.cli(['-conn', leader, '-drain']);
      return attempt.code === ExitCode.commandFailed ? attempt : null;
    }, 10_000, 200);
    assert.match(line1(refused.stdout)!, new RegExp(`^FAIL DRAIN ${leader.replace(/\./g, '\\.')}: .*last voter known to be able to lead`));
    const still = await cluster.cliStatus(leader);
    assert.equal(still?.['state'], 2, 'it still leads');
    assert.equal(still?.['drained'], false);
    assert.equal(still?.['election_mode'], 'candidate');

    const undrain = await cluster.cli(['-conn', follower, '-undrain']);
    assert.equal(undrain.code, ExitCode.ok, undrain.stdout + undrain.stderr);
    assert.equal(line1(undrain.stdout), `SUCCESS UNDRAIN ${follower}`);
    assert.equal((await cluster.cliStatus(follower))?.['election_mode'], 'candidate');
  });

  test('a drained member restarted with the most up-to-date log does not win; -undrain restores its mode and it can', async () => {
    const leader = await cluster.waitForLeader();
    const other = cluster.addresses.find((a) => a !== leader && a !== drained)!;
    // The drained member restarts on its data dir; its command line says candidate, its data dir says drained.
    await cluster.kill(drained, 'SIGTERM');
    cluster.startMember(drained);
    await cluster.waitForLeader();
    assert.equal((await cluster.cliStatus(drained))?.['drained'], true, 'the drain held across the restart');

    // Entries that reach only the leader and the drained member, then the leader goes: the drained
    // member alone holds the whole log, and the other cannot win without its vote.
    await cluster.kill(other);
    for (let i = 0; i < 3; i++) assert.equal((await cluster.kv(['set', `during-${i}`, 'x'])).code, 0);
    await cluster.kill(leader);
    cluster.startMember(other);
    // Several election timeouts (20 ticks of 10 ms): the drained member never campaigns, nobody wins.
    const started = performance.now();
    let checks = 0;
    while (performance.now() - started < 2000 || (checks < 5 && performance.now() - started < 15_000)) {
      const [s, o] = await Promise.all([cluster.cliStatus(drained), cluster.cliStatus(other)]);
      if (s) {
        checks++;
        assert.equal(s['state'], 0, `${drained} campaigned or led while drained: ${JSON.stringify(s)}`);
      }
      assert.notEqual(o?.['state'], 2, `${other} won without the most up-to-date log`);
    }
    assert.ok(checks >= 5, `the drained member answered ${checks} times while it waited`);
    process.stderr.write(`# no leader for ${Math.round(performance.now() - started)} ms (${checks} checks) while the drained member held the longest log\n`);

    const undrain = await cluster.cli(['-conn', drained, '-undrain']);
    assert.equal(undrain.code, ExitCode.ok, undrain.stdout + undrain.stderr);
    assert.equal(line1(undrain.stdout), `SUCCESS UNDRAIN ${drained}`);
    const status = await cluster.cliStatus(drained);
    assert.equal(status?.['election_mode'], 'candidate', 'the mode it had before the drain');
    assert.equal(status?.['drained'], false);
    assert.equal(await cluster.waitForLeader([drained, other], 20_000), drained, 'only the member with the whole log can win');
  });
});
