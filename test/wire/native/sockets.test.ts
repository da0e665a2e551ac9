// The handshake over real loopback sockets: round trip, password mismatches worded per case, garbage, deadlines.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { AuthError, ProtocolError, TimeoutError } from '../../../src/errors.js';
import {
  HandshakeAuthError,
  clientHandshake,
  deriveNativeKey,
  detectWire,
  serverHandshake,
  type NativeChannel,
} from '../../../src/wire/native/index.js';
import { handshakeInMemory, listenOnce, socketPair } from './helpers.js';

const secret = await deriveNativeKey('correct horse');
const other = await deriveNativeKey('battery staple');
const none = await deriveNativeKey(null);

async function both(clientKey: Uint8Array, serverKey: Uint8Array) {
  const pair = await socketPair();
  const results = await Promise.allSettled([
    clientHandshake(pair.client, { passwordKey: clientKey, timeoutMs: 2000 }),
    serverHandshake(pair.server, { passwordKey: serverKey, timeoutMs: 2000 }),
  ]);
  return { pair, client: results[0], server: results[1] };
}

/** The first n messages; past 10 s it fails with the state of both sockets, so a stall is a red test that says where the bytes stopped. */
async function take(channel: NativeChannel, n: number, sockets?: { client: net.Socket; server: net.Socket }): Promise<unknown[]> {
  const got: unknown[] = [];
  const reading = (async () => {
    for await (const message of channel) {
      got.push(message);
      if (got.length === n) break;
    }
    return got;
  })();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const state = sockets
        ? `client wrote ${sockets.client.bytesWritten} bytes, server read ${sockets.server.bytesRead} (flowing ${sockets.server.readableFlowing}, destroyed ${sockets.server.destroyed})`
        : 'no socket state';
      reject(new Error(`${got.length} of ${n} messages after 10 s; channel closed ${channel.closed}, error ${String(channel.error)}, ${channel.listenerCount('message')} message listeners; ${state}`));
    }, 10_000);
  });
  try {
    return await Promise.race([reading, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

test('messages round-trip both ways over a loopback socket', async (t) => {
  const { pair, client, server } = await both(secret, secret);
  t.after(() => pair.close());
  assert.equal(client.status, 'fulfilled');
  assert.equal(server.status, 'fulfilled');
  const c = (client as PromiseFulfilledResult<NativeChannel>).value;
  const s = (server as PromiseFulfilledResult<NativeChannel>).value;
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  c.send({ n: 1 });
  c.send({ n: 2, blob: big });
  const received = (await take(s, 2, pair)) as { n: number; blob?: Uint8Array }[];
  assert.equal(received[0]!.n, 1);
  assert.deepEqual(Buffer.from(received[1]!.blob!), Buffer.from(big));
  s.send(['ack', 2]);
  assert.deepEqual(await take(c, 1), [['ack', 2]]);
  await c.close();
});

test('no password on either side still runs the full handshake', async (t) => {
  const { pair, client, server } = await both(none, none);
  t.after(() => pair.close());
  assert.equal(client.status, 'fulfilled');
  assert.equal(server.status, 'fulfilled');
  const c = (client as PromiseFulfilledResult<NativeChannel>).value;
  const s = (server as PromiseFulfilledResult<NativeChannel>).value;
  const got = new Promise((resolve) => s.on('message', resolve));
  c.send('ping');
  assert.equal(await got, 'ping');
});

test('a wrong password is reported by the client as an AuthError naming the address', async (t) => {
  const { pair, client, server } = await both(other, secret);
  t.after(() => pair.close());
  assert.equal(client.status, 'rejected');
  const err = (client as PromiseRejectedResult).reason;
  assert.ok(err instanceof AuthError && err instanceof HandshakeAuthError, String(err));
  assert.equal(err.reason, 'wrong-password');
  assert.match(err.message, new RegExp(`wrong password for 127\\.0\\.0\\.1:${pair.port}`));
  assert.equal(server.status, 'rejected', 'the server does not accept a client that never proved the password');
});

test('a client without a password at a node that requires one gets a distinct error, and so does the node', async (t) => {
  const { pair, client, server } = await both(none, secret);
  t.after(() => pair.close());
  const err = (client as PromiseRejectedResult).reason;
  assert.ok(err instanceof HandshakeAuthError);
  assert.equal(err.reason, 'password-required');
  assert.match(err.message, /requires a password and none was given/);
  const serverErr = (server as PromiseRejectedResult).reason;
  assert.ok(serverErr instanceof HandshakeAuthError, String(serverErr));
  assert.equal(serverErr.reason, 'password-required');
});

test('a client with a password at a passwordless node is told the node has none', async (t) => {
  const { pair, client, server } = await both(secret, none);
  t.after(() => pair.close());
  const err = (client as PromiseRejectedResult).reason;
  assert.ok(err instanceof HandshakeAuthError);
  assert.equal(err.reason, 'password-not-expected');
  assert.match(err.message, /has no password configured/);
  assert.equal(server.status, 'rejected');
});

test('a recorded client stream replayed into a new connection is refused by the node', async (t) => {
  const recorded = await handshakeInMemory(secret, secret);
  const frame = recorded.client.encode({ op: 'remove-member' });
  const server = await listenOnce();
  t.after(() => server.close());
  const raw = net.connect(server.port, '127.0.0.1');
  t.after(() => raw.destroy());
  const accepted = await server.accept(raw);
  t.after(() => accepted.destroy());
  const handshake = serverHandshake(accepted, { passwordKey: secret, timeoutMs: 2000 });
  raw.write(Buffer.concat([...recorded.clientBytes, frame]));
  await assert.rejects(handshake, (err) => err instanceof HandshakeAuthError && /replayed/.test(err.message));
});

test('a recorded server stream replayed to a new client is refused by the client', async (t) => {
  const recorded = await handshakeInMemory(secret, secret);
  const server = await listenOnce();
  t.after(() => server.close());
  const client = net.connect(server.port, '127.0.0.1');
  t.after(() => client.destroy());
  const acceptedSoon = server.accept(client);
  const handshake = clientHandshake(client, { passwordKey: secret, timeoutMs: 2000 });
  const accepted = await acceptedSoon;
  t.after(() => accepted.destroy());
  accepted.once('data', () => accepted.write(Buffer.concat(recorded.serverBytes)));
  await assert.rejects(handshake, AuthError);
});

test('garbage from the server is a ProtocolError, not a hang', async (t) => {
  const server = await listenOnce();
  t.after(() => server.close());
  const client = net.connect(server.port, '127.0.0.1');
  t.after(() => client.destroy());
  const acceptedSoon = server.accept(client);
  const handshake = clientHandshake(client, { passwordKey: secret, timeoutMs: 2000 });
  const accepted = await acceptedSoon;
  t.after(() => accepted.destroy());
  accepted.write('HTTP/1.1 400 Bad Request\r\n\r\n');
  await assert.rejects(handshake, (err) => err instanceof ProtocolError && /did not answer with a native-wire hello/.test(err.message));
});

test('garbage first bytes from a client: detectWire says unknown and the handshake refuses them', async (t) => {
  const garbage = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  assert.equal(detectWire(garbage), 'unknown');
  const pair = await socketPair();
  t.after(() => pair.close());
  const handshake = serverHandshake(pair.server, { passwordKey: secret, timeoutMs: 2000, initialBytes: garbage });
  await assert.rejects(handshake, (err) => err instanceof ProtocolError && /did not start with a native-wire hello/.test(err.message));
});

test('a server given the bytes detectWire consumed completes the handshake', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const first = new Promise<Buffer>((resolve) => pair.server.once('data', resolve));
  const clientSide = clientHandshake(pair.client, { passwordKey: secret, timeoutMs: 2000 });
  const initialBytes = await first;
  pair.server.pause();
  assert.equal(detectWire(initialBytes), 'native');
  const serverSide = serverHandshake(pair.server, { passwordKey: secret, timeoutMs: 2000, initialBytes });
  const [c, s] = await Promise.all([clientSide, serverSide]);
  c.send(42);
  assert.deepEqual(await take(s, 1), [42]);
});

test('a handshake that never completes times out on both sides', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  await assert.rejects(
    clientHandshake(pair.client, { passwordKey: secret, timeoutMs: 150 }),
    (err) => err instanceof TimeoutError && err.phase === 'handshake' && /within 0\.15 s/.test(err.message),
  );
  const silent = await socketPair();
  t.after(() => silent.close());
  await assert.rejects(serverHandshake(silent.server, { passwordKey: secret, timeoutMs: 100 }), TimeoutError);
  assert.ok(silent.server.destroyed, 'the socket is destroyed after a failed handshake');
});

test('an aborted signal ends the handshake', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const controller = new AbortController();
  const handshake = clientHandshake(pair.client, { passwordKey: secret, signal: controller.signal });
  setTimeout(() => controller.abort(new Error('shutting down')), 20);
  await assert.rejects(handshake, (err) => err instanceof TimeoutError && /aborted: Error: shutting down/.test(err.message));
});

test('an altered frame on the socket ends the channel with a ProtocolError', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const [c, s] = await Promise.all([
    clientHandshake(pair.client, { passwordKey: secret }),
    serverHandshake(pair.server, { passwordKey: secret }),
  ]);
  void c;
  const failed = new Promise<Error>((resolve) => s.on('error', resolve));
  // Write a well-formed but forged frame under the channel, as a man in the middle would.
  pair.client.write(Uint8Array.of(0, 0, 0, 20, ...new Uint8Array(20)));
  const err = await failed;
  assert.ok(err instanceof ProtocolError && /fails authentication/.test(err.message));
});

test('messages sent before the receiver listens are held, not lost', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const [c, s] = await Promise.all([
    clientHandshake(pair.client, { passwordKey: none }),
    serverHandshake(pair.server, { passwordKey: none }),
  ]);
  c.send('early-1');
  c.send('early-2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await take(s, 2, pair), ['early-1', 'early-2']);
});
