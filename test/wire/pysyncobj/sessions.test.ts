// The client and node handshakes against each other, with and without a password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, MessageCodec, PysyncobjClientSession, PysyncobjServerSession, pyRepr, type PyValue } from '../../../src/wire/pysyncobj/index.js';
import { ProtocolError } from '../../../src/errors.js';

function exchange(clientKey: Buffer | null, serverKey: Buffer | null, request: PyValue, reply: PyValue): PyValue {
  const client = new PysyncobjClientSession(new MessageCodec(clientKey), request);
  const server = new PysyncobjServerSession(new MessageCodec(serverKey));
  const toServer = new FrameDecoder();
  const toClient = new FrameDecoder();
  let outbound = client.start();
  for (let round = 0; round < 4; round++) {
    for (const body of toServer.push(outbound)) {
      const step = server.receive(body);
      const back = 'send' in step ? step.send : (assert.equal(pyRepr(step.request), pyRepr(request)), server.encodeReply(reply));
      for (const b of toClient.push(back)) {
        const c = client.receive(b);
        if ('reply' in c) return c.reply;
        outbound = c.send;
      }
    }
  }
  throw new Error('no reply after 4 rounds');
}

test('without a password: one request, one reply', () => {
  assert.equal(exchange(null, null, ['status'], 'ok'), 'ok');
});

test('with a password: key exchange, wrapped request, wrapped reply', () => {
  const key = Buffer.alloc(32, 9);
  const reply = exchange(key, key, ['add', '127.0.0.1:1'], 'SUCCESS ADD 127.0.0.1:1');
  assert.equal(reply, 'SUCCESS ADD 127.0.0.1:1');
});

test('a wrong password or a missing one fails to decode on the node', () => {
  assert.throws(() => exchange(Buffer.alloc(32, 1), Buffer.alloc(32, 2), ['status'], 'x'), ProtocolError);
  assert.throws(() => exchange(null, Buffer.alloc(32, 2), ['status'], 'x'), ProtocolError);
  assert.throws(() => exchange(Buffer.alloc(32, 2), null, ['status'], 'x'), ProtocolError);
});
