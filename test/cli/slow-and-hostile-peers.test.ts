// The CLI against peers that do not behave: silent, garbage, and a PySyncObj-like node that
// answers status but never 'transfer'. Each ends with the right exit code and a clear message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { derivePysyncobjKey } from '../../src/wire/pysyncobj/index.js';
import type { PyValue } from '../../src/wire/pysyncobj/index.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';

function capture() {
  const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const futureStatus = (self: string): PyValue => new Map<string, PyValue>([['version', '0.3.20'], ['self', self], ['leader', self], ['state', 2], ['has_quorum', true], ['raft_term', 4]]);

describe('misbehaving peers', () => {
  let silent: FakeNode;
  let garbage: FakeNode;
  let noTransfer: FakeNode;
  let closes: FakeNode;
  const key = derivePysyncobjKey('pw');
  before(async () => {
    silent = await startFakeNode(null, 'accept-only');
    garbage = await startFakeNode(null, { raw: Buffer.from([8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]) });
    noTransfer = await startFakeNode(await key, (req) => (Array.isArray(req) && req[0] === 'status' ? futureStatus(noTransfer.address) : 'silent'));
    closes = await startFakeNode(null, () => 'close');
  });
  after(async () => Promise.all([silent, garbage, noTransfer, closes].map((f) => f?.close())));

  // 1.5 s, not less: the connect shares the deadline, and on a loaded 2-core machine a loopback
  // connect to this process can take a few hundred ms, which would end as unreachable (3) instead.
  test('a node that accepts and never answers: timeout naming the phase, exit 5', async () => {
    const io = capture();
    assert.equal(await main(['-conn', silent.address, '-status', '-timeout', '1.5'], {}, io), ExitCode.timeout, io.stderr);
    assert.match(io.stderr, /did not reply to 'status' within 1\.5 s/);
    const withPass = capture();
    assert.equal(await main(['-conn', silent.address, '-status', '-timeout', '1.5', '-pass', 'x'], {}, withPass), ExitCode.timeout, withPass.stderr);
    assert.match(withPass.stderr, /did not complete the handshake within 1\.5 s/);
  });

  test('a reply that does not decode: protocol error, exit 4, no stack trace', async () => {
    const io = capture();
    assert.equal(await main(['-conn', garbage.address, '-status', '-timeout', '2'], {}, io), ExitCode.authOrProtocol);
    assert.match(io.stderr, /does not decode|not zlib/);
    assert.doesNotMatch(io.stderr, /\n\s+at /);
  });

  test('a node that closes on the request: the missing-password hint, exit 4', async () => {
    const io = capture();
    assert.equal(await main(['-conn', closes.address, '-add', '127.0.0.1:9', '-timeout', '2'], {}, io), ExitCode.authOrProtocol);
    assert.match(io.stderr, /needs a password/);
  });

  test('transfer to a node that answers status but not transfer: timeout saying it may lack the feature', async () => {
    const io = capture();
    const code = await main(['-conn', noTransfer.address, '-pass', 'pw', '-transfer', '127.0.0.1:9', '-timeout', '1.5'], {}, io);
    assert.equal(code, ExitCode.timeout, io.stderr);
    assert.match(io.stderr, /may not support leadership transfer/);
    assert.equal(io.stdout, '');
  });
});
