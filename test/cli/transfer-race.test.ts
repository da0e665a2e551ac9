// The PR 200 race seen from the client: the leader answers SUCCESS TRANSFER, but the target never
// takes over (a stale heartbeat cancelled its election). The CLI must neither print success nor exit 0.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { derivePysyncobjKey, type PyValue } from '../../src/wire/pysyncobj/index.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';

function capture() {
  const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

/** A PySyncObj 0.3.15 status (the first release with transfer) as `self` sees it. */
function statusOf(self: string, leader: string | null, state: number, term: number): PyValue {
  return new Map<string, PyValue>([['version', '0.3.15'], ['self', self], ['leader', leader], ['state', state], ['has_quorum', leader !== null], ['raft_term', term]]);
}

const isRequest = (req: PyValue, command: string): boolean => Array.isArray(req) && req[0] === command;

describe('-transfer when the leader says SUCCESS but the target does not lead', () => {
  let leader: FakeNode;
  let staysFollower: FakeNode;
  let seesNoLeader: FakeNode;
  before(async () => {
    const key = await derivePysyncobjKey('pw');
    // The old leader keeps leading (its heartbeat won the race) and answers every transfer with SUCCESS.
    leader = await startFakeNode(key, (req) => {
      if (isRequest(req, 'status')) return statusOf(leader.address, leader.address, 2, 9);
      if (isRequest(req, 'transfer') && Array.isArray(req)) return `SUCCESS TRANSFER ${String(req[1])}`;
      return 'silent';
    });
    staysFollower = await startFakeNode(key, (req) => (isRequest(req, 'status') ? statusOf(staysFollower.address, leader.address, 0, 9) : 'silent'));
    seesNoLeader = await startFakeNode(key, (req) => (isRequest(req, 'status') ? statusOf(seesNoLeader.address, null, 1, 10) : 'silent'));
  });
  after(() => Promise.all([leader, staysFollower, seesNoLeader].map((f) => f?.close())));

  test('the target keeps reporting the old leader: the command failed (exit 1), naming who leads', async () => {
    const io = capture();
    const code = await main(['-conn', leader.address, '-pass', 'pw', '-transfer', staysFollower.address, '-timeout', '10'], {}, io);
    assert.equal(code, ExitCode.commandFailed, `exit ${code}; stdout ${JSON.stringify(io.stdout)}; stderr ${JSON.stringify(io.stderr)}`);
    assert.doesNotMatch(io.stdout, /SUCCESS/);
    assert.match(io.stderr, new RegExp(`${staysFollower.address} says ${leader.address} leads .*did not take`));
  });

  test('the target reports no leader until the deadline: a timeout (exit 5) saying it never confirmed', async () => {
    const io = capture();
    const code = await main(['-conn', leader.address, '-pass', 'pw', '-transfer', seesNoLeader.address, '-timeout', '6'], {}, io);
    assert.equal(code, ExitCode.timeout, `exit ${code}; stdout ${JSON.stringify(io.stdout)}; stderr ${JSON.stringify(io.stderr)}`);
    assert.doesNotMatch(io.stdout, /SUCCESS/);
    // The reason after the colon is the last poll's, which may be one cut short by the deadline.
    assert.match(io.stderr, new RegExp(`the node reported SUCCESS, but ${seesNoLeader.address} did not confirm its leadership within`));
  });

  test('with -json the reply is reported, but ok is not claimed', async () => {
    const io = capture();
    const code = await main(['-conn', leader.address, '-pass', 'pw', '-transfer', staysFollower.address, '-timeout', '10', '-json'], {}, io);
    assert.equal(code, ExitCode.commandFailed);
    assert.doesNotMatch(io.stdout, /"ok":\s*true/);
  });
});
