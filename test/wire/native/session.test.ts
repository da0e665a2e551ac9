// Established sessions reject reordered, repeated, altered and replayed traffic; messages keep their types.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/errors.js';
import { ServerHandshake, ClientHandshake, HandshakeAuthError, deriveNativeKey } from '../../../src/wire/native/index.js';
import { concat, handshakeInMemory } from './helpers.js';
import { FLAG_READS_BATCHES } from '../../../src/wire/native/constants.js';
import { loadNacl } from '../../../src/wire/native/lazy-deps.js';
import { NativeSession } from '../../../src/wire/native/native-session.js';

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

test('messages queued together share one sealed frame, in order, arrays and all', async () => {
  const { client, server } = await handshakeInMemory(key, key);
  const messages = [{ t: 'a', n: 1 }, ['not', 'a', 'batch'], 'text', { t: 'b', blob: Uint8Array.of(9) }];
  const frames = client.seal(messages.map((m) => client.encodeBody(m)));
  assert.equal(frames.length, 1, 'one frame for the whole turn');
  const decoded = server.decode(frames[0]!) as unknown[];
  assert.deepEqual(decoded.slice(0, 3), messages.slice(0, 3), 'a message that is itself an array stays one message');
  assert.deepEqual([...(decoded[3] as { blob: Uint8Array }).blob], [9]);
  const many = Array.from({ length: 70_000 }, (_, i) => client.encodeBody(i));
  assert.deepEqual(server.decode(concat(client.seal(many))), Array.from({ length: 70_000 }, (_, i) => i), 'uint32 batch header');
});

test('a batch larger than a frame is split across frames under the limit', async () => {
  const client = await ClientHandshake.start({ passwordKey: key, peer: 'server', maxFrameBytes: 1024 });
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'client', maxFrameBytes: 1024 });
  const done = client.receive(server.receive(client.hello).send!);
  const serverSession = server.receive(done.send!).session!;
  const bodies = Array.from({ length: 10 }, (_, i) => done.session!.encodeBody({ i, pad: 'x'.repeat(300) }));
  const frames = done.session!.seal(bodies);
  assert.ok(frames.length >= 4, `split into ${frames.length} frames`);
  for (const f of frames) assert.ok(f.length - 4 <= 1024, `frame of ${f.length - 4} bytes within the limit`);
  const got = frames.flatMap((f) => serverSession.decode(f)) as { i: number }[];
  assert.deepEqual(got.map((m) => m.i), [...Array(10).keys()]);
});

test('a peer that does not read batches (an older member) gets and sends one plain frame per message', async () => {
  const client = await ClientHandshake.start({ passwordKey: key, peer: 'server' });
  const server = await ServerHandshake.start({ passwordKey: key, peer: 'client' });
  client.hello[5] = client.hello[5]! & ~FLAG_READS_BATCHES; // what an older client sends
  const serverHello = server.receive(client.hello);
  assert.ok((serverHello.send![5]! & FLAG_READS_BATCHES) !== 0, 'the node says it reads batches');
  const done = client.receive(serverHello.send!);
  const serverSession = server.receive(done.send!).session!;
  const frames = serverSession.seal([serverSession.encodeBody({ t: 'x' }), serverSession.encodeBody(['y'])]);
  assert.equal(frames.length, 2, 'one frame per message');
  assert.deepEqual(frames.flatMap((f) => done.session!.decode(f)), [{ t: 'x' }, ['y']]);
});

test('in a batched session a frame that is not a batch is refused', async () => {
  const { client, server } = await handshakeInMemory(key, key);
  const plain = new NativeSession(await loadNacl(), client.codec, { sendKey: new Uint8Array(32), receiveKey: new Uint8Array(32) });
  const sneaky = new NativeSession(await loadNacl(), client.codec, { sendKey: new Uint8Array(32), receiveKey: new Uint8Array(32), batched: true });
  assert.throws(() => sneaky.decode(plain.encode({ t: 'x' })), (e: unknown) => e instanceof ProtocolError && /not a batch/.test(e.message));
  assert.deepEqual(server.decode(client.encode({ t: 'x' })), [{ t: 'x' }]);
});
