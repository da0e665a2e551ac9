// KvClient under a lost connection with many writes in flight: every write completes on one new
// connection, instead of each failed write opening a connection of its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvClient } from 'syncobj-admin';
import { startFakeNativeMember, type FakeNativeMember } from '../support/fake-native-member.js';

let member: FakeNativeMember | undefined;
after(() => member?.close());

test('500 writes in flight on a connection that drops: all complete, over at most 3 connections', async () => {
  const seen = new Map<number, number>();
  member = await startFakeNativeMember((m, channel, connection) => {
    if (m.t !== 'kv') return;
    // The first connection drops once every write has reached it, answering none.
    if (connection === 1) {
      seen.set(1, (seen.get(1) ?? 0) + 1);
      if (seen.get(1) === 500) channel.destroy();
      return;
    }
    channel.send({ t: 'kv_reply', id: m.id, ok: true });
  });
  const client = new KvClient({ members: [member.address], timeoutMs: 10_000 });
  try {
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => client.set(`k${i}`, 'v')));
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
    assert.ok(member.connections() <= 3, `${member.connections()} connections opened`);
  } finally {
    client.close();
  }
});
