// A disk that fills up under the leader (--fault-disk-full-after-bytes): the leader steps down,
// another member takes over, every acknowledged write survives, and the faulty member keeps
// answering status with storage_fault set.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/processes.js';
import { NodeCluster, writeLoop } from '../support/node-cluster.js';

describe('a disk that fails under the leader', () => {
  let cluster: NodeCluster;
  before(async () => {
    cluster = await NodeCluster.start(3, { argsFor: (i) => (i === 0 ? ['--fault-disk-full-after-bytes', '6000'] : []) });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('the leader steps down, acknowledged writes survive, status shows storage_fault', async () => {
    const faulty = cluster.addresses[0]!;
    // Make the member with the small disk the leader (a transfer may time out on a busy machine: retry).
    await waitFor('the faulty member to lead', async () => {
      const leader = await cluster.waitForLeader();
      if (leader === faulty) return true;
      return (await cluster.admin(leader, 'transfer', faulty)) === `SUCCESS TRANSFER ${faulty}` ? true : null;
    }, 15_000, 100);
    const client = cluster.client(cluster.addresses, 3000);
    const load = writeLoop(client, 'd', 4);
    let faultStatus: Record<string, unknown>;
    try {
      faultStatus = await waitFor('the faulty member to report a storage fault', async () => {
        const s = await cluster.status(faulty);
        return s['storage_fault'] !== null ? s : null;
      }, 20_000, 50);
      const healthy = cluster.addresses.filter((a) => a !== faulty);
      const next = await cluster.waitForLeader(healthy);
      assert.notEqual(next, faulty);
    } finally {
      const acked = await load.stop();
      try {
        assert.ok(acked.size > 0);
        const reader = cluster.client(cluster.addresses.slice(1));
        try {
          for (const [k, v] of acked) assert.equal(await reader.get(k), v, `acknowledged write ${k} was lost`);
        } finally {
          reader.close();
        }
        process.stderr.write(`# ${acked.size} acknowledged writes, all present after the leader's disk filled\n`);
      } finally {
        client.close();
      }
    }
    assert.match(String(faultStatus['storage_fault']), /ENOSPC|no space/);
    const later = await cluster.status(faulty);
    assert.notEqual(later['state'], 2);
    assert.match(String(later['storage_fault']), /ENOSPC|no space/);
    assert.match(cluster.logOf(faulty), /storage: write failed/);
  });
});
