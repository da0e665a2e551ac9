// Follower progress: probing, pipelining within the in-flight bound, back-off on rejection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from '../../src/raft/progress.js';

test('probe sends one append at a time', () => {
  const pr = new Progress(10);
  assert.equal(pr.next, 11);
  assert.equal(pr.isPaused(4), false);
  pr.sent(12);
  assert.equal(pr.isPaused(4), true);
  assert.equal(pr.maybeUpdate(12), true);
  assert.equal(pr.isPaused(4), false);
});

test('replicate pipelines up to maxInflight appends', () => {
  const pr = new Progress(0);
  pr.maybeUpdate(0);
  pr.becomeReplicate();
  for (let i = 1; i <= 3; i++) pr.sent(i);
  assert.equal(pr.isPaused(3), true);
  assert.equal(pr.next, 4);
  pr.maybeUpdate(2);
  assert.equal(pr.isPaused(3), false);
  assert.deepEqual(pr.inflight, [3]);
});

test('a rejection moves next back to the hint, never below match + 1; stale rejections are ignored', () => {
  const pr = new Progress(20);
  assert.equal(pr.maybeDecrease(20, 7), true);
  assert.equal(pr.next, 8);
  assert.equal(pr.maybeDecrease(20, 3), false, 'stale: not the index last probed');
  pr.maybeUpdate(5);
  pr.becomeReplicate();
  assert.equal(pr.maybeDecrease(4, 0), false, 'at or below match');
  assert.equal(pr.maybeDecrease(9, 0), true);
  assert.equal(pr.next, 6);
});

test('snapshot state pauses until acknowledged', () => {
  const pr = new Progress(3);
  pr.becomeSnapshot(50);
  assert.equal(pr.isPaused(100), true);
  pr.becomeProbe();
  assert.equal(pr.next, 51);
});
