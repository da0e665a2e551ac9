// -prometheus (issue 14): -status and -health, alone or with -cluster, in Prometheus' text format,
// read back with a parser of the format; the process exits with the verdict's code, and a member
// that does not answer still gives syncobj_up 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { renderPrometheus, factsOfSilentMember } from '../../src/cli/prometheus.js';
import type { PyValue } from '../../src/wire/pysyncobj/index.js';
import { freePort } from '../support/processes.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';
import { readExposition } from '../support/prometheus-text.js';

function capture() {
  const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const status = (entries: [string, PyValue][]) => new Map<string, PyValue>(entries);

describe('-prometheus', () => {
  let leader: FakeNode;
  let follower: FakeNode;
  /** A member of the configuration that is not running. */
  let down: string;
  before(async () => {
    down = `127.0.0.1:${await freePort()}`;
    // syncobj-node's status keys (drained) on the leader only: syncobj_drained appears where reported.
    leader = await startFakeNode(null, () =>
      status([['self', leader.address], ['state', 2], ['leader', leader.address], ['has_quorum', true], ['raft_term', 9], ['commit_idx', 120], ['leader_commit_idx', 120], ['last_applied', 118], ['drained', false], [`partner_node_status_server_${follower.address}`, 2], [`partner_node_status_server_${down}`, 0]]),
    );
    follower = await startFakeNode(null, () =>
      status([['self', follower.address], ['state', 0], ['leader', leader.address], ['has_quorum', true], ['raft_term', 9], ['commit_idx', 100], ['leader_commit_idx', 117], ['last_applied', 99], [`partner_node_status_server_${leader.address}`, 2], [`partner_node_status_server_${down}`, 0]]),
    );
  });
  after(async () => Promise.all([leader?.close(), follower?.close()]));

  for (const command of ['-health', '-status']) {
    test(`${command} -cluster with a member down: one sample per member and fact, exit 6 in the code and in syncobj_health_exit_code`, async () => {
      const io = capture();
      const code = await main(['-conn', follower.address, command, '-cluster', '-prometheus', '-timeout', '2'], {}, io);
      assert.equal(code, ExitCode.degraded, io.stdout + io.stderr);
      const m = readExposition(io.stdout);
      const at = (name: string) => Object.fromEntries(m.get(name) ?? []);
      assert.deepEqual(at('syncobj_up'), { [leader.address]: 1, [follower.address]: 1, [down]: 0 });
      assert.deepEqual(at('syncobj_leader'), { [leader.address]: 1, [follower.address]: 0 });
      assert.deepEqual(at('syncobj_raft_term'), { [leader.address]: 9, [follower.address]: 9 });
      assert.deepEqual(at('syncobj_commit_index'), { [leader.address]: 120, [follower.address]: 100 });
      assert.deepEqual(at('syncobj_last_applied'), { [leader.address]: 118, [follower.address]: 99 });
      // -cluster measures lag against the leader's own commit index.
      assert.deepEqual(at('syncobj_lag_entries'), { [leader.address]: 0, [follower.address]: 20 });
      assert.deepEqual(at('syncobj_drained'), { [leader.address]: 0 }, 'only where the member reports it');
      assert.deepEqual(at('syncobj_health_exit_code'), { '': ExitCode.degraded });
      assert.deepEqual([...m.keys()], ['syncobj_up', 'syncobj_leader', 'syncobj_raft_term', 'syncobj_commit_index', 'syncobj_last_applied', 'syncobj_lag_entries', 'syncobj_drained', 'syncobj_health_exit_code']);
      assert.equal(io.stderr, '');
    });
  }

  test('-status and -health of one member: its own view of the lag; healthy is 0', async () => {
    for (const command of ['-status', '-health']) {
      const io = capture();
      assert.equal(await main(['-conn', follower.address, command, '-prometheus', '-timeout', '2'], {}, io), ExitCode.ok, io.stdout + io.stderr);
      const m = readExposition(io.stdout);
      assert.equal(m.get('syncobj_lag_entries')?.get(follower.address), 17, 'leader_commit_idx 117 - commit_idx 100');
      assert.equal(m.get('syncobj_up')?.get(follower.address), 1);
      assert.equal(m.get('syncobj_health_exit_code')?.get(''), 0);
      assert.equal(m.has('syncobj_drained'), false, 'a PySyncObj member reports no drain');
    }
    // -max-lag makes the same member degraded: the sample and the exit code agree.
    const io = capture();
    assert.equal(await main(['-conn', follower.address, '-health', '-max-lag', '10', '-prometheus'], {}, io), ExitCode.degraded);
    assert.equal(readExposition(io.stdout).get('syncobj_health_exit_code')?.get(''), ExitCode.degraded);
  });

  test('a member that does not answer: syncobj_up 0 and the exit code 3, the reason on stderr', async () => {
    for (const command of ['-status', '-health']) {
      const io = capture();
      assert.equal(await main(['-conn', down, command, '-prometheus', '-timeout', '2'], {}, io), ExitCode.unreachable);
      const m = readExposition(io.stdout);
      assert.deepEqual([...m.keys()], ['syncobj_up', 'syncobj_health_exit_code']);
      assert.equal(m.get('syncobj_up')?.get(down), 0);
      assert.equal(m.get('syncobj_health_exit_code')?.get(''), ExitCode.unreachable);
      assert.match(io.stderr, /refused the connection/);
    }
  });

  test('label values are escaped as the format says: a parser gives the same text back', () => {
    const member = 'odd "member" \\ with\nnewline';
    const m = readExposition(renderPrometheus([factsOfSilentMember(member)], ExitCode.unreachable));
    assert.deepEqual([...m.get('syncobj_up')!.keys()], [member]);
  });
});
