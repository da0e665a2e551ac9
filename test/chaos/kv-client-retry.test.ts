// Documents why chaos runs through KvClient find non-linearizable histories: KvClient re-sends a write
// whose outcome is unknown, and nodes do not deduplicate requests, so one set can be applied twice.
// Seen live: `npm run chaos -- --seconds 30 --seed 1` left the same {"op":"set","key":"k2","value":"c4-745"}
// at indices 4711 and 4716 (term 6) of every member's journal, with an acknowledged del of k2 between.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { KvClient } from '../../src/node/kv-client.js';
import { deriveNativeKey, serverHandshake } from '../../src/wire/native/index.js';

type Behaviour = 'drop-connection' | 'may-still-be-applied';

/** A fake member that "applies" every set it receives and misbehaves on the first one as told. */
async function fakeMember(behaviour: Behaviour): Promise<{ address: string; sets: () => number; server: Server }> {
  const key = await deriveNativeKey(null);
  let sets = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    serverHandshake(socket, { passwordKey: key, timeoutMs: 2000 }).then(
      (channel) => {
        channel.on('error', () => undefined);
        channel.on('message', (raw: unknown) => {
          const m = raw as { t?: string; id?: number; op?: string };
          if (m.t !== 'kv') return;
          if (m.op === 'set') sets++;
          if (sets === 1 && behaviour === 'drop-connection') return channel.destroy();
          if (sets === 1) {
            channel.send({ t: 'kv_reply', id: m.id, ok: false, leader: address, error: 'no outcome within 10000 ms (it may still be applied)' });
            return;
          }
          channel.send({ t: 'kv_reply', id: m.id, ok: true });
        });
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { address, sets: () => sets, server };
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
after(() => {
  for (const s of sockets) s.destroy();
  servers.forEach((s) => s.close());
});

for (const behaviour of ['drop-connection', 'may-still-be-applied'] as const) {
  test(`one KvClient.set is delivered once even when the first attempt ends ambiguously (${behaviour})`, {
    todo: 'bug: src/node/kv-client.ts #send re-sends a set/del after an ambiguous outcome (lost connection, or ok:false "may still be applied"); nodes keep no client sessions to deduplicate, so one set is applied twice (not linearizable)',
  }, async () => {
    const fake = await fakeMember(behaviour);
    servers.push(fake.server);
    const client = new KvClient({ members: [fake.address], password: null, timeoutMs: 3000 });
    try {
      await client.set('k', 'v');
    } catch {
      // Reporting the outcome as unknown would be correct too; applying it twice is not.
    } finally {
      client.close();
    }
    assert.equal(fake.sets(), 1, `the member received the set ${fake.sets()} times`);
  });
}
