// status(): what the admin's -status shows, from the leader's and a follower's point of view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from '../sim/cluster.js';

function threeNodes(): Cluster {
  const c = new Cluster({ seed: 3 });
  const ids = ['n1', 'n2', 'n3'];
  c.addNode('n1', { voters: ids, supportedCodeVersion: 2 });
  c.addNode('n2', { voters: ids, mode: 'voter', supportedCodeVersion: 1 });
  c.addNode('n3', { voters: ids, mode: 'manual', supportedCodeVersion: 3 });
  for (let i = 0; i < 20 && c.raft('n1').softState().role !== 'leader'; i++) c.tick('n1');
  c.stabilize();
  return c;
}

test('the leader knows every member: progress, activity, election mode and supported version', () => {
  const c = threeNodes();
  c.propose('n1', 'x');
  c.stabilize();
  const s = c.raft('n1').status();
  assert.equal(s.role, 'leader');
  assert.equal(s.leader, 'n1');
  assert.equal(s.commit, 2);
  assert.equal(s.hasQuorum, true);
  assert.equal(s.transfer, null);
  assert.deepEqual(
    s.peers.map((p) => [p.id, p.voter, p.mode, p.supportedCodeVersion, p.match, p.next, p.recentActive]),
    [
      ['n2', true, 'voter', 1, 2, 3, true],
      ['n3', true, 'manual', 3, 2, 3, true],
    ],
  );
});

test('hasQuorum turns false for a leader cut off from its followers, before it steps down', () => {
  const c = threeNodes();
  c.isolate('n1');
  for (let i = 0; i < 10; i++) c.step();
  const s = c.raft('n1').status();
  assert.equal(s.hasQuorum, false);
  for (let i = 0; i < 15; i++) c.step();
  assert.notEqual(c.raft('n1').status().role, 'leader');
});

test('a follower reports its leader, and hasQuorum while it hears from it', () => {
  const c = threeNodes();
  const s = c.raft('n2').status();
  assert.equal(s.role, 'follower');
  assert.equal(s.leader, 'n1');
  assert.equal(s.electionMode, 'voter');
  assert.equal(s.supportedCodeVersion, 1);
  assert.equal(s.hasQuorum, true);
  assert.deepEqual(s.voters, ['n1', 'n2', 'n3']);
  c.crash('n1');
  for (let i = 0; i < 25; i++) c.step();
  assert.equal(c.raft('n2').status().hasQuorum, false);
});

test('a transfer in progress shows in the status', () => {
  const c = threeNodes();
  c.crash('n3');
  c.on('n1', (raft) => raft.transferLeadership('n3', 't'));
  // n3 is down but already holds the whole log, so TimeoutNow went out at once.
  assert.deepEqual(c.raft('n1').status().transfer, { target: 'n3', phase: 'timeoutSent', elapsed: 0 });
});
