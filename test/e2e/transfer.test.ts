// Leadership transfer under a steady write load: the reply comes only once the target leads, no
// acknowledged write is lost; a `voter`-mode member is refused as a target with the reason; SIGTERM
// on the leader hands leadership over before the process exits.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeCluster, writeLoop } from '../support/node-cluster.js';

describe('leadership transfer', () => {
  let cluster: NodeCluster;
  before(async () => {
    // The third member never leads: a transfer to it must be refused.
    cluster = await NodeCluster.start(3, { argsFor: (i) => (i === 2 ? ['--election-mode', 'voter'] : []) });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('transfer under writes: replied only after the target won, nothing acknowledged is lost', async () => {
    const voterMember = cluster.addresses[2]!;
    const client = cluster.client();
    const load = writeLoop(client, 't', 8);
    try {
      const timings: number[] = [];
      const refusals: string[] = [];
      for (let round = 0; round < 4; round++) {
        // On a busy machine a transfer may honestly fail (the target's campaign was too slow and another
        // member won): the reply then says so. What must never happen is SUCCESS before the target leads.
        for (let attempt = 0; ; attempt++) {
          const leader = await cluster.waitForLeader();
          const target = cluster.addresses.find((a) => a !== leader && a !== voterMember)!;
          const started = performance.now();
          const reply = String(await cluster.admin(round % 2 === 0 ? leader : voterMember, 'transfer', target));
          if (reply === `SUCCESS TRANSFER ${target}`) {
            timings.push(Math.round(performance.now() - started));
            const s = await cluster.status(target);
            assert.equal(s['state'], 2);
            assert.equal(s['leader'], target);
            break;
          }
          assert.match(reply, new RegExp(`^FAIL TRANSFER ${target.replace(/\./g, '\\.')}: .+`));
          refusals.push(reply);
          assert.ok(attempt < 3, `transfer kept failing: ${refusals.join('; ')}`);
        }
      }
      if (refusals.length > 0) process.stderr.write(`# transfers that failed honestly and were retried: ${refusals.join('; ')}\n`);
      process.stderr.write(`# transfers under load took ${timings.join(', ')} ms\n`);
    } finally {
      const acked = await load.stop();
      try {
        assert.ok(acked.size > 20, `only ${acked.size} writes were acknowledged`);
        for (const [key, value] of acked) assert.equal(await client.get(key), value, `${key} lost`);
        process.stderr.write(`# ${acked.size} acknowledged writes during transfers, all present; ${load.failures()} attempts failed and were retried\n`);
      } finally {
        client.close();
      }
    }
  });

  test('a voter-mode member is refused as a target, with the reason', async () => {
    const leader = await cluster.waitForLeader();
    const reply = await cluster.admin(leader, 'transfer', cluster.addresses[2]!);
    assert.match(String(reply), /^FAIL TRANSFER 127\.0\.0\.1:\d+: .*voter election mode/);
    const status = await cluster.status(cluster.addresses[2]!);
    assert.equal(status['election_mode'], 'voter');
  });

  test('SIGTERM on the leader hands leadership to another member before exiting', async () => {
    const leader = await cluster.waitForLeader();
    const started = performance.now();
    await cluster.kill(leader, 'SIGTERM');
    const stopMs = Math.round(performance.now() - started);
    const log = cluster.logOf(leader);
    assert.match(log, /stop: handed leadership to 127\.0\.0\.1:\d+/);
    assert.match(log, /stop: stopped/);
    const rest = cluster.addresses.filter((a) => a !== leader);
    const next = await cluster.waitForLeader(rest, 5000);
    process.stderr.write(`# SIGTERM to exit on the leader: ${stopMs} ms; ${next} leads\n`);
    cluster.startMember(leader);
    await cluster.waitForLeader();
  });
});
