// When the runtime compacts: after --compact-every entries, or after half as many entries as the map
// holds keys when that is more, so a snapshot (which writes the whole map) costs each write a bounded share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKvCommand } from '../../src/node/kv-command.js';
import { RuntimeCluster, TICK_MS } from '../sim/runtime-cluster.js';

async function oneMember(compactEvery: number): Promise<RuntimeCluster> {
  const cluster = new RuntimeCluster(1, false);
  cluster.addNode('n1', { voters: ['n1'], mode: 'candidate', fsync: 'never', compactEvery });
  for (let t = 0; t < 100 && cluster.leader() === null; t++) await cluster.run(TICK_MS);
  assert.equal(cluster.leader(), 'n1');
  return cluster;
}

async function write(cluster: RuntimeCluster, keys: (i: number) => string, count: number): Promise<void> {
  const runtime = cluster.nodes.get('n1')!.runtime!;
  for (let i = 0; i < count; i++) {
    const done = runtime.propose(encodeKvCommand({ op: 'set', key: keys(i), value: 'v' }));
    await cluster.run(TICK_MS);
    assert.equal((await done).ok, true);
  }
}

test('a small map is compacted every --compact-every entries', async () => {
  const cluster = await oneMember(10);
  await write(cluster, (i) => `k${i % 3}`, 35);
  const raft = cluster.nodes.get('n1')!.runtime!.raft;
  assert.ok(raft.softState().snapshotIndex >= 30, `snapshot at ${raft.softState().snapshotIndex}`);
});

test('a map with more keys than --compact-every is compacted once per half as many entries as it holds keys', async () => {
  const cluster = await oneMember(10);
  const runtime = cluster.nodes.get('n1')!.runtime!;
  const snapshots: number[] = [];
  for (let i = 0; i < 200; i++) {
    await write(cluster, () => `key-${i}`, 1);
    const at = runtime.raft.softState().snapshotIndex;
    if (at !== (snapshots.at(-1) ?? 0)) snapshots.push(at);
  }
  assert.equal(runtime.kv.size, 200);
  // Every key is new, so the map holds about as many keys as the log has entries: each snapshot
  // comes at about twice the index of the one before (10, 20, 40, ...), not every 10 entries.
  assert.ok(snapshots.length >= 4 && snapshots.length <= 6, `snapshots at ${snapshots.join(', ')}`);
  for (let i = 1; i < snapshots.length; i++) {
    assert.ok(snapshots[i]! - snapshots[i - 1]! >= Math.max(10, (snapshots[i]! - 2) / 2), `snapshots at ${snapshots.join(', ')}`);
  }
});
