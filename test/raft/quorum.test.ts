// Majority arithmetic: commit index and election outcomes for even and odd voter sets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasMajority, majority, quorumIndex, voteOutcome } from '../../src/raft/quorum.js';

test('majority sizes', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(majority), [1, 2, 2, 3, 3]);
});

test('quorum index is the highest index a majority holds', () => {
  const match = new Map([['a', 5], ['b', 3], ['c', 9], ['d', 1]]);
  assert.equal(quorumIndex(['a', 'b', 'c'], (id) => match.get(id)!), 5);
  // Four voters need three: the third highest.
  assert.equal(quorumIndex(['a', 'b', 'c', 'd'], (id) => match.get(id)!), 3);
  assert.equal(quorumIndex([], () => 7), 0);
});

test('vote outcome: won, lost, or still pending', () => {
  const voters = ['a', 'b', 'c', 'd', 'e'];
  assert.equal(voteOutcome(voters, new Map([['a', true], ['b', true]])), 'pending');
  assert.equal(voteOutcome(voters, new Map([['a', true], ['b', true], ['c', true]])), 'won');
  assert.equal(voteOutcome(voters, new Map([['a', true], ['b', false], ['c', false], ['d', false]])), 'lost');
  // Votes from non-voters do not count.
  assert.equal(voteOutcome(['a', 'b', 'c'], new Map([['a', true], ['x', true], ['y', true]])), 'pending');
});

test('every member votes: a cluster of mostly non-candidates can still reach a majority', () => {
  // Tarantool PR 12696: if voter-mode members abstained, {a} could never win among five.
  const votes = new Map([['a', true], ['v1', true], ['v2', true]]);
  assert.equal(voteOutcome(['a', 'v1', 'v2', 'm1', 'm2'], votes), 'won');
  assert.equal(hasMajority(['a', 'b', 'c'], (id) => id !== 'c'), true);
  assert.equal(hasMajority(['a', 'b', 'c'], (id) => id === 'a'), false);
});
