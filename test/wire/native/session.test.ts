// Established sessions reject reordered, repeated, altered and replayed traffic; messages keep their types.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/errors.js';
import { ServerHandshake, ClientHandshake, HandshakeAuthError, deriveNativeKey } from '../../../src/wire/native/index.js';
import { concat, handshakeInMemory } from './helpers.js';

const key = await deriveNativeKey('s3cret');

test('messages keep integers, binary, nested maps and strings', async () => {
  const { client, server } = await handshakeInMemory(key, key);
  const message = {
    type: 'append',
    term: 2 ** 40 + 3,
    negative: -(2 ** 33),
    small: 7,
    entries: [{ index: 1, data: Uint8Array.of(0, 1, 255) }],
    text: 'héllo',
    none: null,
  };
  const [decoded] = server.decode(client.encode(message)) as [typeof message];
  assert.deepEqual({ ...decoded, entries: [] }, { ...message, entries: [] });
  assert.ok(decoded.entries[0]!.data instanceof Uint8Array);
  assert.deepEqual([...decoded.entries[0]!.data], [0, 1, 255]);
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype, 'plain object, not a record');
  assert.deepEqual(client.decode(server.encode('pong')), ['pong']);
});

test('a message above the frame limit is refused before sending, and the session stays usable', async () => {
  const client = await ClientHandshake.start({ passwordKey: key, peer: 'server', maxFrameBytes: 1024 });
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'client', maxFrameBytes: 1024 });
  const hello = server.receive(client.hello);
  const done = client.receive(hello.send!);
  const serverSession = server.receive(done.send!).session!;
  assert.throws(() => done.session!.encode(new Uint8Array(2000)), (err) => err instanceof ProtocolError && /above the frame limit of 1024/.test(err.message));
  assert.deepEqual(serverSession.decode(done.session!.encode('small')), ['small']);
});

test('a reordered frame is rejected', async () => {
  const { client, server } = await handshakeInMemory(key, key);
  const first = client.encode(1);
  const second = client.encode(2);
  assert.throws(() => server.decode(second), (err) => err instanceof ProtocolError && /fails authentication/.test(err.message));
  void first;
});

test('a duplicated frame is rejected', async () => {
  const { client, server } = await handshakeInMemory(key, key);
  const frame = client.encode({ op: 'set', value: 1 });
  assert.deepEqual(server.decode(frame), [{ op: 'set', value: 1 }]);
  assert.throws(() => server.decode(frame), ProtocolError);
});

test('a frame altered at any byte is rejected', async () => {
  const template = await handshakeInMemory(key, key);
  const length = template.client.encode({ op: 'set', value: 1 }).length;
  for (let i = 4; i < length; i++) {
    const { client, server } = await handshakeInMemory(key, key);
    const frame = client.encode({ op: 'set', value: 1 });
    frame[i]! ^= 0x01;
    assert.throws(() => server.decode(frame), ProtocolError, `flipped byte ${i}`);
  }
});

test("a frame sealed for one direction is not accepted in the other", async () => {
  const { client } = await handshakeInMemory(key, key);
  const frame = client.encode('x');
  assert.throws(() => client.decode(frame), ProtocolError);
});

test('frames from one session do not open in another', async () => {
  const a = await handshakeInMemory(key, key);
  const b = await handshakeInMemory(key, key);
  assert.throws(() => b.server.decode(a.client.encode('hello')), ProtocolError);
});

test("a recorded client stream replayed to a new server fails the client's proof", async () => {
  const recorded = await handshakeInMemory(key, key);
  const frame = recorded.client.encode({ op: 'delete-everything' });
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'replayer' });
  const stream = concat([...recorded.clientBytes, frame]);
  const hello = server.receive(stream.subarray(0, 38));
  assert.ok(hello.send, 'the server answers the replayed hello with fresh keys');
  assert.throws(
    () => server.receive(stream.subarray(38)),
    (err) => err instanceof HandshakeAuthError && /replayer/.test(err.message),
  );
});

test('a recorded server stream replayed to a new client fails the server proof', async () => {
  const recorded = await handshakeInMemory(key, key);
  const client = await ClientHandshake.start({ passwordKey: key, peer: 'node-a:4321' });
  assert.throws(
    () => client.receive(concat(recorded.serverBytes)),
    (err) => err instanceof HandshakeAuthError && /node-a:4321/.test(err.message),
  );
});

test('a low-order ephemeral key is refused', async () => {
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'evil' });
  const hello = Uint8Array.of(0x53, 0x4f, 0x42, 0x4a, 1, 1, ...new Uint8Array(32));
  assert.throws(() => server.receive(hello), /invalid ephemeral public key/);
});

test('a client of another version is told so before the connection ends', async () => {
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'future' });
  const step = server.receive(Uint8Array.of(0x53, 0x4f, 0x42, 0x4a, 9, 0));
  assert.ok(step.fail instanceof ProtocolError && /version 9/.test(step.fail.message));
  const client = await ClientHandshake.start({ passwordKey: key, peer: 'old-node' });
  assert.throws(() => client.receive(step.send!), /old-node speaks native wire version/);
});

test('a passwordless client that sends a proof anyway is told apart from a wrong password by the node', async () => {
  const none = await deriveNativeKey(null);
  const client = await ClientHandshake.start({ passwordKey: none, peer: 'node' });
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'client-9' });
  server.receive(client.hello);
  assert.throws(
    () => server.receive(new Uint8Array(32)),
    (err) => err instanceof HandshakeAuthError && err.reason === 'password-required' && /client-9 has no password/.test(err.message),
  );
});
