// Membership through the admin commands: an empty 4th member joins and catches up from a snapshot
// (the log is compacted every 20 entries), is removed again, and removing the leader hands over first.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, waitFor } from '../support/processes.js';
import { NodeCluster } from '../support/node-cluster.js';

describe('adding and removing members', () => {
  let cluster: NodeCluster;
  before(async () => {
    cluster = await NodeCluster.start(3, { extraArgs: ['--compact-every', '20'] });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('an empty member joins from a snapshot, then is removed', async () => {
    const client = cluster.client();
    try {
      for (let i = 0; i < 60; i++) await client.set(`key${i}`, `value${i}`);
    } finally {
      client.close();
    }
    const leader = await cluster.waitForLeader();
    const newcomer = `127.0.0.1:${await freePort()}`;
    cluster.startMember(newcomer, ['--join'], cluster.addresses);
    const follower = cluster.addresses.find((a) => a !== leader)!;
    const started = performance.now();
    assert.equal(await cluster.admin(follower, 'add', newcomer), `SUCCESS ADD ${newcomer}`);
    const addMs = Math.round(performance.now() - started);
    const target = await cluster.status(leader);
    const caughtUp = await waitFor('the newcomer to apply what the leader applied', async () => {
      const s = await cluster.status(newcomer);
      return (s['last_applied'] as number) >= (target['last_applied'] as number) ? s : null;
    });
    process.stderr.write(`# add answered after ${addMs} ms; newcomer caught up ${Math.round(performance.now() - started)} ms after the add was sent\n`);
    assert.match(cluster.logOf(newcomer), /installed the leader's snapshot/);
    const leaderNow = await cluster.status(leader);
    if (leaderNow['last_applied'] === caughtUp['last_applied']) assert.equal(caughtUp['applied_digest'], leaderNow['applied_digest']);
    assert.equal(leaderNow['partner_nodes_count'], 3);
    assert.equal(leaderNow[`partner_node_status_server_${newcomer}`], 2);
    const reader = cluster.client([newcomer]);
    try {
      assert.equal(await reader.get('key59'), 'value59');
    } finally {
      reader.close();
    }
    // The leader promotes the caught-up learner by a membership change of its own; a removal asked
    // while that change is uncommitted is refused (one change at a time). Once the leader lists it
    // as a voter, a write that commits after the promotion entry shows the promotion committed.
    await waitFor('the leader to promote the newcomer', async () => ((await cluster.status(leader))[`learner_node_status_server_${newcomer}`] === undefined ? true : null));
    const writer = cluster.client([leader]);
    try {
      await writer.set('after-promotion', 'yes');
    } finally {
      writer.close();
    }
    // A member removing itself goes through the leader, like any other removal.
    assert.equal(await cluster.admin(newcomer, 'remove', newcomer), `SUCCESS REMOVE ${newcomer}`);
    const after = await cluster.status(leader);
    assert.equal(after['partner_nodes_count'], 2);
    await cluster.kill(newcomer);
  });

  test('removing the leader hands leadership over first', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.addresses.find((a) => a !== leader)!;
    assert.equal(await cluster.admin(follower, 'remove', leader), `SUCCESS REMOVE ${leader}`);
    const remaining = cluster.addresses.filter((a) => a !== leader);
    const newLeader = await cluster.waitForLeader(remaining);
    assert.notEqual(newLeader, leader);
    const s = await cluster.status(newLeader);
    assert.equal(s['partner_nodes_count'], 1);
    const client = cluster.client(remaining);
    try {
      await client.set('after-removal', 'yes');
      assert.equal(await client.get('key10'), 'value10');
    } finally {
      client.close();
    }
  });
});
