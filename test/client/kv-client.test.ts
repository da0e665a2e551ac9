// KvClient under a lost connection with many writes in flight: every write completes on one new
// connection, instead of each failed write opening a connection of its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { KvClient } from 'syncobj-admin';
import { deriveNativeKey, serverHandshake } from '../../src/wire/native/index.js';

const sockets = new Set<Socket>();
let server: Server | undefined;
after(() => {
  for (const s of sockets) s.destroy();
  server?.close();
});

test('500 writes in flight on a connection that drops: all complete, over at most 3 connections', async () => {
  const key = await deriveNativeKey(null);
  let connections = 0;
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const nth = ++connections;
    serverHandshake(socket, { passwordKey: key, timeoutMs: 2000 }).then(
      (channel) => {
        channel.on('error', () => undefined);
        let seen = 0;
        channel.on('message', (raw: unknown) => {
          const m = raw as { t?: string; id?: number };
          if (m.t !== 'kv') return;
          // The first connection drops once every write has reached it, answering none.
          if (nth === 1) {
            if (++seen === 500) channel.destroy();
            return;
          }
          channel.send({ t: 'kv_reply', id: m.id, ok: true });
        });
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const client = new KvClient({ members: [`127.0.0.1:${(server.address() as { port: number }).port}`], timeoutMs: 10_000 });
  try {
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => client.set(`k${i}`, 'v')));
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
    assert.ok(connections <= 3, `${connections} connections opened`);
  } finally {
    client.close();
  }
});
