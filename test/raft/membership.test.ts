// Membership-change validation and the replicated code version rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refuseCodeVersion } from '../../src/raft/code-version.js';
import { checkConfChange, decodeMembership, encodeMembership, promote } from '../../src/raft/membership.js';

const current = { voters: ['a', 'b', 'c'], learners: ['d'] };

test('add joins as a learner; promote makes it a voter', () => {
  const r = checkConfChange(current, { type: 'add', node: 'e' });
  assert.ok(r.ok);
  assert.deepEqual(r.next, { voters: ['a', 'b', 'c'], learners: ['d', 'e'] });
  assert.deepEqual(promote(r.next, 'e'), { voters: ['a', 'b', 'c', 'e'], learners: ['d'] });
});

test('refusals carry a reason', () => {
  const cases: [Parameters<typeof checkConfChange>[1], RegExp][] = [
    [{ type: 'add', node: 'a' }, /already a voter/],
    [{ type: 'add', node: 'd' }, /already joining/],
    [{ type: 'remove', node: 'z' }, /not a member/],
    [{ type: 'add', node: '' }, /non-empty/],
  ];
  for (const [change, reason] of cases) {
    const r = checkConfChange(current, change);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
  const last = checkConfChange({ voters: ['a'], learners: [] }, { type: 'remove', node: 'a' });
  assert.equal(last.ok, false);
});

test('config entries carry the whole membership', () => {
  assert.deepEqual(decodeMembership(encodeMembership(current)), current);
});

test('code version: not below the enabled one, not above what any member supports', () => {
  const supported = new Map([['a', 3], ['b', 2]]);
  const of = (id: string): number | undefined => supported.get(id);
  assert.equal(refuseCodeVersion(2, 1, ['a', 'b'], of), null);
  assert.equal(refuseCodeVersion(3, 1, ['a', 'b'], of)?.code, 'unsupportedVersion');
  assert.match(refuseCodeVersion(3, 1, ['a', 'b'], of)?.reason ?? '', /above the version b supports \(2\)/);
  assert.match(refuseCodeVersion(0, 1, ['a', 'b'], of)?.reason ?? '', /below the enabled version 1/);
  assert.match(refuseCodeVersion(1, 1, ['a', 'c'], of)?.reason ?? '', /supported version of c is not known/);
});
