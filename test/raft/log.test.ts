// The log: appending with truncation, the unstable part, conflict search, compaction and snapshots.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RaftLog } from '../../src/raft/log.js';
import type { Entry } from '../../src/raft/types.js';

const e = (index: number, term: number): Entry => ({ index, term, kind: 'command', data: new Uint8Array([index]) });

test('restored entries are stable; appended ones are unstable until stableTo', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 1)], 2, 0);
  assert.equal(log.lastIndex(), 2);
  assert.deepEqual(log.unstableEntries(), []);
  log.append([e(3, 2)]);
  assert.deepEqual(log.unstableEntries().map((x) => x.index), [3]);
  log.stableTo(3, 2);
  assert.deepEqual(log.unstableEntries(), []);
});

test('a conflicting append truncates the suffix and pulls the stable index back', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 1)], 1, 0);
  const r = log.maybeAppend(1, 1, [e(2, 1), e(3, 2), e(4, 2)]);
  assert.deepEqual(r, { lastNew: 4, truncated: true });
  assert.deepEqual(log.unstableEntries().map((x) => `${x.index}/${x.term}`), ['3/2', '4/2']);
  assert.equal(log.maybeAppend(4, 1, [e(5, 2)]), undefined, 'previous term mismatch is rejected');
});

test('never truncates committed entries', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 1)], 2, 0);
  assert.throws(() => log.append([e(2, 3)]), /committed/);
});

test('findConflictByTerm skips a whole term at once', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 2), e(3, 2), e(4, 4), e(5, 4)], 0, 0);
  assert.equal(log.findConflictByTerm(5, 3), 3);
  assert.equal(log.findConflictByTerm(5, 1), 1);
  assert.equal(log.findConflictByTerm(5, 9), 5);
});

test('findConflictByTerm falls below the snapshot when even the snapshot term is too new', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 2), e(3, 3), e(4, 3)], 4, 4);
  log.compact(3);
  assert.equal(log.findConflictByTerm(4, 3), 4);
  assert.equal(log.findConflictByTerm(3, 2), 2, 'below the snapshot: the follower needs the snapshot');
});

test('up-to-date comparison: last term first, then length (thesis 3.6.1)', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 3)], 0, 0);
  assert.equal(log.isUpToDate(1, 4), true);
  assert.equal(log.isUpToDate(9, 2), false);
  assert.equal(log.isUpToDate(2, 3), true);
  assert.equal(log.isUpToDate(1, 3), false);
});

test('slice respects the byte budget but always returns one entry', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 1)], 0, 0);
  assert.equal(log.slice(1, 4, 0).length, 1);
  assert.equal(log.slice(1, 4, 2).length, 2);
  assert.equal(log.slice(1, 4).length, 3);
});

test('compaction keeps the term of the compaction point; restore replaces everything', () => {
  const log = new RaftLog(0, 0, [e(1, 1), e(2, 2), e(3, 2)], 3, 3);
  log.compact(2);
  assert.equal(log.term(2), 2);
  assert.equal(log.term(1), undefined);
  assert.equal(log.firstIndex(), 3);
  assert.throws(() => log.compact(1), /already compacted/);
  log.restore({ meta: { index: 10, term: 5, voters: ['a'], learners: [], codeVersion: 0 }, data: new Uint8Array() });
  assert.equal(log.lastIndex(), 10);
  assert.equal(log.committed, 10);
  assert.notEqual(log.unstableSnapshot, null);
});

test('dropping unwritten entries after a storage failure', () => {
  const log = new RaftLog(0, 0, [e(1, 1)], 1, 1);
  log.append([e(2, 1), e(3, 1)]);
  assert.equal(log.dropUnstableEntries(), true);
  assert.equal(log.lastIndex(), 1);
  assert.equal(log.dropUnstableEntries(), false);
});
