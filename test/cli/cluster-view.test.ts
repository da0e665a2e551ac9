// The cluster view from status replies: leader, lag, links, unreachable members, divergence;
// and the health verdicts with their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildView, membersOf } from '../../src/cli/cluster-view.js';
import { judgeClusterHealth, renderClusterTable } from '../../src/cli/cluster-report.js';
import { ExitCode } from '../../src/errors.js';
import type { StatusMap, StatusValue } from '../../src/client/index.js';

const status = (fields: Record<string, StatusValue>): StatusMap => new Map(Object.entries(fields));
const leader = status({ self: 'a:1', state: 2, leader: 'a:1', has_quorum: true, raft_term: 5, commit_idx: 100, last_applied: 100, applied_digest: 'd100', election_mode: 'candidate', 'partner_node_status_server_b:1': 2, 'partner_node_status_server_c:1': 0 });
const follower = (self: string, commit: number, digest: string) => status({ self, state: 0, leader: 'a:1', has_quorum: true, raft_term: 5, commit_idx: commit, last_applied: commit, applied_digest: digest, election_mode: 'voter' });

test('members are named by self and the per-partner keys', () => {
  assert.deepEqual(membersOf(leader), ['a:1', 'b:1', 'c:1']);
});

test('a healthy view: leader found, lag against its commit, links as the leader sees them', () => {
  const view = buildView(new Map([['a:1', { status: leader, error: null }], ['b:1', { status: follower('b:1', 97, 'd97'), error: null }], ['c:1', { status: null, error: 'c:1 refused the connection' }]]));
  assert.equal(view.leader?.address, 'a:1');
  const [a, b, c] = view.members;
  assert.equal(b!.lag, 3n);
  assert.equal(b!.connected, true);
  assert.equal(c!.connected, false);
  assert.equal(c!.role, 'unreachable');
  assert.equal(a!.diverged, false);
  const verdict = judgeClusterHealth(view, null, { ok: true, leader: 'a:1', term: 5 });
  assert.equal(verdict.exitCode, ExitCode.degraded);
  assert.deepEqual(verdict.problems, ['c:1 refused the connection']);
  assert.equal(judgeClusterHealth(view, 2, null).problems.length, 2);
});

test('two members at one applied index with different digests are both marked, exit 8', () => {
  const view = buildView(new Map([['a:1', { status: leader, error: null }], ['b:1', { status: follower('b:1', 100, 'OTHER'), error: null }], ['c:1', { status: follower('c:1', 90, 'd90'), error: null }]]));
  assert.deepEqual(view.members.map((m) => m.diverged), [true, true, false]);
  assert.equal(judgeClusterHealth(view, null, null).exitCode, ExitCode.diverged);
});

test('no leader is exit 7; a failed read barrier is exit 7; nobody answering is exit 3', () => {
  const leaderless = buildView(new Map([['b:1', { status: status({ self: 'b:1', state: 1, leader: null, raft_term: 9 }), error: null }]]));
  assert.equal(judgeClusterHealth(leaderless, null, null).exitCode, ExitCode.noQuorum);
  const view = buildView(new Map([['a:1', { status: leader, error: null }]]));
  assert.equal(judgeClusterHealth(view, null, { ok: false, leader: 'a:1', reason: 'lost quorum' }).exitCode, ExitCode.noQuorum);
  assert.equal(judgeClusterHealth(buildView(new Map([['a:1', { status: null, error: 'x' }]])), null, null).exitCode, ExitCode.unreachable);
});

test('the table has a row per member, the reason for the unreachable one, and no colour codes when not asked', async () => {
  const view = buildView(new Map([['a:1', { status: leader, error: null }], ['c:1', { status: null, error: 'c:1 refused the connection' }]]));
  const plain = await renderClusterTable(view, false);
  assert.match(plain, /a:1 .*│ leader /);
  assert.match(plain, /c:1 .*unreachable.*refused the connection/);
  assert.doesNotMatch(plain, /\x1b\[/);
  assert.match(await renderClusterTable(view, true), /\x1b\[/);
});
