// Crashes with writes running: SIGKILL of the leader, then of the whole cluster at once, several
// times. Afterwards every member has the same applied_digest at the same last_applied, and every
// write that was acknowledged is still there (fsync always, snapshots every 50 entries).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/processes.js';
import { NodeCluster, sleep, writeLoop } from '../support/node-cluster.js';

/** Waits until all members applied the same index (no writes running) and returns their statuses. */
async function converged(cluster: NodeCluster): Promise<Record<string, unknown>[]> {
  return waitFor(
    'every member to apply the same last index',
    async () => {
      const all = await Promise.all(cluster.addresses.map((a) => cluster.status(a, 1000)));
      const applied = new Set(all.map((s) => s['last_applied']));
      const commit = all.find((s) => s['state'] === 2)?.['commit_idx'];
      return applied.size === 1 && commit === all[0]!['last_applied'] ? all : null;
    },
    15_000,
    100,
  );
}

async function checkAcked(cluster: NodeCluster, acked: Map<string, string>): Promise<void> {
  const client = cluster.client();
  try {
    for (const [key, value] of acked) assert.equal(await client.get(key), value, `acknowledged write ${key} was lost`);
  } finally {
    client.close();
  }
}

describe('crashes with writes running', () => {
  let cluster: NodeCluster;
  before(async () => {
    cluster = await NodeCluster.start(3, { extraArgs: ['--compact-every', '50'] });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('SIGKILL of the leader: a new leader takes over, the old one rejoins and agrees', async () => {
    const client = cluster.client(cluster.addresses, 15_000);
    const load = writeLoop(client, 'a', 4);
    let acked: Map<string, string>;
    try {
      await sleep(300);
      const leader = await cluster.waitForLeader();
      const killedAt = performance.now();
      await cluster.kill(leader);
      const next = await cluster.waitForLeader(cluster.addresses.filter((a) => a !== leader));
      const failoverMs = Math.round(performance.now() - killedAt);
      cluster.startMember(leader);
      await sleep(500);
      acked = await load.stop();
      process.stderr.write(`# leader SIGKILLed: ${next} led ${failoverMs} ms later; ${acked.size} writes acknowledged meanwhile\n`);
    } finally {
      await load.stop();
      client.close();
    }
    const all = await converged(cluster);
    assert.equal(new Set(all.map((s) => s['applied_digest'])).size, 1, JSON.stringify(all.map((s) => [s['self'], s['last_applied'], s['applied_digest']])));
    await checkAcked(cluster, acked);
  });

  test('the whole cluster SIGKILLed at once, three times: same digest everywhere, no acknowledged write lost', async () => {
    const acked = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      const client = cluster.client(cluster.addresses, 1500);
      const load = writeLoop(client, `r${round}-`, 8);
      await sleep(400 + round * 150);
      await Promise.all(cluster.addresses.map((a) => cluster.kill(a)));
      for (const [k, v] of await load.stop()) acked.set(k, v);
      client.close();
      const restartedAt = performance.now();
      cluster.addresses.forEach((a) => cluster.startMember(a));
      const leader = await cluster.waitForLeader();
      process.stderr.write(`# round ${round}: ${acked.size} writes acknowledged so far; after the restart ${leader} led within ${Math.round(performance.now() - restartedAt)} ms\n`);
    }
    const all = await converged(cluster);
    const digests = new Set(all.map((s) => s['applied_digest']));
    assert.equal(digests.size, 1, JSON.stringify(all.map((s) => [s['self'], s['last_applied'], s['applied_digest']])));
    assert.ok(acked.size > 30, `only ${acked.size} writes were acknowledged`);
    await checkAcked(cluster, acked);
    for (const a of cluster.addresses) assert.match(cluster.logOf(a), /start: listening/);
  });
});
