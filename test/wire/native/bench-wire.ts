// Native wire benchmark, not a test: `node dist/test/wire/native/bench-wire.js [handshakes] [messages] [bytes]`.
// Prints handshake latency and one-way message throughput over a loopback socket.

import net from 'node:net';
import { clientHandshake, deriveNativeKey, serverHandshake, type NativeChannel } from '../../../src/wire/native/index.js';

async function pair(key: Uint8Array): Promise<{ client: NativeChannel; server: NativeChannel; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const socket = net.connect(port, '127.0.0.1');
  const [client, server] = await Promise.all([
    clientHandshake(socket, { passwordKey: key }),
    accepted.then((s) => serverHandshake(s, { passwordKey: key })),
  ]);
  listener.close();
  return { client, server, close: () => (client.destroy(), server.destroy()) };
}

async function main(): Promise<void> {
  const handshakes = Number(process.argv[2] ?? 200);
  const messages = Number(process.argv[3] ?? 50_000);
  const bytes = Number(process.argv[4] ?? 100);
  let started = performance.now();
  const key = await deriveNativeKey('bench');
  console.log(`deriveNativeKey: ${(performance.now() - started).toFixed(1)} ms (once per process)`);
  started = performance.now();
  for (let i = 0; i < handshakes; i++) (await pair(key)).close();
  console.log(`handshake over loopback: ${((performance.now() - started) / handshakes).toFixed(2)} ms each (${handshakes} runs)`);
  const { client, server, close } = await pair(key);
  const payload = { op: 'append', term: 7, data: new Uint8Array(bytes) };
  started = performance.now();
  const done = new Promise<void>((resolve) => {
    let n = 0;
    server.on('message', () => {
      if (++n === messages) resolve();
    });
  });
  for (let i = 0; i < messages; i++) client.send(payload);
  await done;
  const ms = performance.now() - started;
  console.log(`messages of ${bytes} bytes: ${Math.round((messages / ms) * 1000)} per second (${messages} in ${ms.toFixed(0)} ms)`);
  close();
}

// node --test runs every .js under test/; only run when started directly.
if (process.env.NODE_TEST_CONTEXT === undefined) await main();
