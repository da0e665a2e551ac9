// syncobj-admin against a real local cluster of syncobj-node processes: the cluster table and
// JSON, health through the consensus path, verified and refused transfers, the native wire, and
// every exit code with one, two and three of three members down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { NodeCluster } from '../support/node-cluster.js';
import { waitFor } from '../support/processes.js';

const line1 = (s: string) => s.split('\n')[0];

describe('syncobj-admin against syncobj-node', () => {
  let cluster: NodeCluster;
  let voter: string;
  before(async () => {
    cluster = await NodeCluster.start(3, { password: 'e2e-secret', modes: ['candidate', 'candidate', 'voter'], fsync: 'never' });
    voter = cluster.addresses[2]!;
  });
  after(async () => cluster?.stop());

  test('-status -cluster: a row per member with mode and digest; JSON agrees on digests', async () => {
    assert.equal((await cluster.kv(['set', 'k1', 'v1'])).code, 0);
    const table = await cluster.cli(['-conn', voter, '-status', '-cluster']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^${voter.replace(/\./g, '\\.')} +follower .* voter `, 'm'));
    assert.match(table.stdout, /^\S+ +leader /m);
    const members = await waitFor('every member to apply the write', async () => {
      const json = JSON.parse((await cluster.cli(['-conn', voter, '-status', '-cluster', '-json'])).stdout) as { applied: number; applied_digest: string; election_mode: string; diverged: boolean }[];
      return json.every((m) => m.applied === json[0]!.applied) ? json : null;
    });
    assert.equal(members.length, 3);
    assert.equal(new Set(members.map((m) => m.applied_digest)).size, 1);
    assert.deepEqual(members.map((m) => m.diverged), [false, false, false]);
  });

  test('-health goes through the leader\'s quorum confirmation', async () => {
    const single = await cluster.cli(['-conn', voter, '-health']);
    assert.equal(single.code, ExitCode.ok, single.stdout + single.stderr);
    assert.match(single.stdout, /quorum confirmed by the leader/);
    const whole = await cluster.cli(['-conn', voter, '-health', '-cluster', '-json']);
    assert.equal(whole.code, ExitCode.ok);
    assert.equal((JSON.parse(whole.stdout) as { healthy: boolean }).healthy, true);
  });

  test('-wire native answers the same status keys as PySyncObj\'s wire', async () => {
    const viaPy = JSON.parse((await cluster.cli(['-conn', voter, '-status', '-json'])).stdout) as Record<string, unknown>;
    const native = await cluster.cli(['-conn', voter, '-status', '-json', '-wire', 'native']);
    assert.equal(native.code, 0, native.stderr);
    assert.deepEqual(Object.keys(JSON.parse(native.stdout) as object).sort(), Object.keys(viaPy).sort());
  });

  test('transfer to a voter-mode member is refused with the reason, exit 1', async () => {
    const leader = await cluster.waitForLeader();
    const r = await cluster.cli(['-conn', leader, '-transfer', voter]);
    assert.equal(r.code, ExitCode.commandFailed, r.stdout + r.stderr);
    assert.match(line1(r.stdout)!, new RegExp(`^FAIL TRANSFER ${voter.replace(/\./g, '\\.')}`));
    assert.match(r.stdout, /voter/);
    assert.equal(await cluster.waitForLeader(), leader);
  });

  test('transfer to a named member and to auto: the PySyncObj line first, and the target leads', async () => {
    const leader = await cluster.waitForLeader();
    const target = cluster.addresses.find((a) => a !== leader && a !== voter)!;
    const r = await cluster.cli(['-conn', leader, '-transfer', target]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, `SUCCESS TRANSFER ${target}\n`, 'nothing after the first line when stdout is a pipe');
    assert.equal(await cluster.waitForLeader(), target);
    const auto = await cluster.cli(['-conn', voter, '-transfer', 'auto', '-json']);
    assert.equal(auto.code, 0, auto.stdout + auto.stderr);
    const result = JSON.parse(auto.stdout) as { ok: boolean; old_leader: string; new_leader: string; ms: number };
    assert.equal(result.ok, true);
    assert.equal(result.old_leader, target);
    assert.equal(result.new_leader, leader, 'auto picks the only other candidate');
    assert.equal(await cluster.waitForLeader(), leader);
  });

  test('on a terminal, transfer shows progress and then the old and new leader and the time', async () => {
    const { main } = await import('../../src/cli/main.js');
    const leader = await cluster.waitForLeader();
    const target = cluster.addresses.find((a) => a !== leader && a !== voter)!;
    const io = { stdout: '', stderr: '', isTTY: true, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
    const code = await main(['-conn', leader, '-transfer', target, '-pass-file', cluster.passwordFile!], {}, io);
    assert.equal(code, 0, io.stderr);
    const lines = io.stdout.split('\n');
    assert.equal(lines[0], `SUCCESS TRANSFER ${target}`);
    assert.equal(lines[1], `old leader: ${leader}`);
    assert.match(lines[2]!, new RegExp(`^new leader: ${target.replace(/\./g, '\\.')} \\(confirmed by ${target.replace(/\./g, '\\.')}, term \\d+\\)$`));
    assert.match(lines[3]!, /^took \d+ ms$/);
    assert.match(io.stderr, /^transferring leadership from .* to .*\.\.\.\n$/);
  });

  test('a wrong password is exit 4; a stopped (SIGSTOP) member is a timeout, exit 5', async () => {
    const wrong = await cluster.cli(['-conn', voter, '-status', '-pass', 'nope']);
    // -pass-file from the cluster helper comes last; give both and the CLI refuses: usage, 2.
    assert.equal(wrong.code, ExitCode.usage);
    const { run } = await import('../support/processes.js');
    const { ADMIN_BIN } = await import('../support/node-cluster.js');
    const bad = await run(process.execPath, [ADMIN_BIN, '-conn', voter, '-status', '-pass', 'nope']);
    assert.equal(bad.code, ExitCode.authOrProtocol, bad.stderr);
    assert.match(bad.stderr, /wrong password/);
    const child = cluster.children.get(voter)!;
    process.kill(child.pid!, 'SIGSTOP');
    try {
      // 2 s: the deadline also covers the connect and key derivation, slow on a loaded 2-core machine.
      const frozen = await cluster.cli(['-conn', voter, '-status', '-timeout', '2']);
      assert.equal(frozen.code, ExitCode.timeout, frozen.stderr);
    } finally {
      process.kill(child.pid!, 'SIGCONT');
    }
  });

  test('members down: one is degraded (6), two is no quorum (7), all is unreachable (3)', async () => {
    const leader = await cluster.waitForLeader();
    const [first, second] = cluster.addresses.filter((a) => a !== leader);
    await cluster.kill(first!);
    const degraded = await cluster.cli(['-conn', leader, '-health', '-cluster', '-timeout', '2']);
    assert.equal(degraded.code, ExitCode.degraded, degraded.stdout + degraded.stderr);
    assert.match(degraded.stdout, new RegExp(`^degraded: ${first!.replace(/\./g, '\\.')} refused the connection`));
    await cluster.kill(second!);
    const noQuorum = await waitFor('the quorum loss to show', async () => {
      const r = await cluster.cli(['-conn', leader, '-health', '-cluster', '-timeout', '2']);
      return r.code === ExitCode.noQuorum ? r : null;
    }, 10_000, 200);
    assert.match(noQuorum.stdout, /quorum|leader/);
    await cluster.kill(leader);
    const none = await cluster.cli(['-conn', leader, '-status', '-cluster', '-timeout', '1']);
    assert.equal(none.code, ExitCode.unreachable);
    assert.match(none.stdout, /no member answered/);
  });
});
