// -health as a probe sees it: one JSON shape whatever went wrong (issue 11, item 12), and
// -wire pysyncobj speaking nothing but PySyncObj's wire, read barrier included (item 10).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { derivePysyncobjKey, type PyValue } from '../../src/wire/pysyncobj/index.js';
import { freePort } from '../support/processes.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';

function capture() {
  const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

/** A lone leader whose status has syncobj-node's keys, so -health would ask it for a read barrier. */
const nodeLikeStatus = (self: string): PyValue =>
  new Map<string, PyValue>([['version', '0.3.11-compatible syncobj-node 0.1.0'], ['self', self], ['leader', self], ['state', 2], ['has_quorum', true], ['raft_term', 3], ['commit_idx', 7], ['leader_commit_idx', 7], ['election_mode', 'candidate']]);

describe('-health as a probe', () => {
  let nodeLike: FakeNode;
  let silent: FakeNode;
  let withPassword: FakeNode;
  before(async () => {
    nodeLike = await startFakeNode(null, () => nodeLikeStatus(nodeLike.address));
    silent = await startFakeNode(null, 'accept-only');
    withPassword = await startFakeNode(await derivePysyncobjKey('right'), () => nodeLikeStatus(withPassword.address));
  });
  after(async () => Promise.all([nodeLike, silent, withPassword].map((f) => f?.close())));

  test('-wire pysyncobj -health opens no native connection for the read barrier, alone or with -cluster', async () => {
    for (const extra of [[], ['-cluster']]) {
      const before = nodeLike.connections;
      const io = capture();
      const code = await main(['-conn', nodeLike.address, '-health', '-wire', 'pysyncobj', '-timeout', '2', ...extra], {}, io);
      assert.equal(code, ExitCode.ok, io.stdout + io.stderr);
      assert.equal(nodeLike.connections - before, 1, `one connection, for 'status' (${extra.join(' ')})`);
    }
    // The same probe with -wire auto does try the native read barrier: the count above can fail.
    const before = nodeLike.connections;
    await main(['-conn', nodeLike.address, '-health', '-timeout', '2'], {}, capture());
    assert.equal(nodeLike.connections - before, 2);
  });

  test('-health -json has one shape when the member is unreachable, the password is wrong, or it times out', async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    const cases: [string[], number][] = [
      [['-conn', refused], ExitCode.unreachable],
      [['-conn', refused, '-cluster'], ExitCode.unreachable],
      [['-conn', withPassword.address, '-pass', 'wrong'], ExitCode.authOrProtocol],
      [['-conn', silent.address, '-timeout', '0.3'], ExitCode.timeout],
      [['-conn', nodeLike.address, '-max-lag', '-1'], ExitCode.usage],
    ];
    for (const [args, exitCode] of cases) {
      const io = capture();
      assert.equal(await main([...args, '-health', '-json'], {}, io), exitCode, args.join(' '));
      const shape = JSON.parse(io.stdout) as { healthy: unknown; exit_code: unknown; problems: unknown };
      assert.equal(shape.healthy, false, args.join(' '));
      assert.equal(shape.exit_code, exitCode, args.join(' '));
      assert.ok(Array.isArray(shape.problems) && shape.problems.length > 0 && shape.problems.every((p) => typeof p === 'string'), io.stdout);
    }
  });

  test('-cluster also asks the leader a member follows, when its status names no partners', async () => {
    const leader = await startFakeNode(null, () => new Map<string, PyValue>([['self', leader.address], ['state', 2], ['leader', leader.address], ['has_quorum', true], ['raft_term', 2], [`partner_node_status_server_${empty.address}`, 2]]));
    const empty = await startFakeNode(null, () => new Map<string, PyValue>([['self', empty.address], ['state', 0], ['leader', leader.address], ['has_quorum', true], ['raft_term', 2]]));
    try {
      const io = capture();
      assert.equal(await main(['-conn', empty.address, '-health', '-cluster', '-timeout', '2'], {}, io), ExitCode.ok, io.stdout + io.stderr);
      assert.equal(io.stdout, `healthy: 2 members, leader ${leader.address} in term 2\n`);
    } finally {
      await Promise.all([leader.close(), empty.close()]);
    }
  });

  test('a healthy -health -json has the same three keys first', async () => {
    const io = capture();
    assert.equal(await main(['-conn', nodeLike.address, '-health', '-json', '-wire', 'pysyncobj'], {}, io), ExitCode.ok);
    assert.deepEqual(Object.keys(JSON.parse(io.stdout) as object).slice(0, 3), ['healthy', 'exit_code', 'problems']);
  });
});
