// The cluster view from status replies: leader, membership, lag, links, unreachable members,
// divergence, split views; and the verdicts with their exit codes, whichever member is asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildView, membersOf, type StatusReplies, type StatusReply } from '../../src/cli/cluster-view.js';
import { judgeCluster } from '../../src/cli/cluster-verdict.js';
import { clusterHealthLines } from '../../src/cli/cluster-report.js';
import { renderClusterTable } from '../../src/cli/cluster-table.js';
import { ExitCode } from '../../src/errors.js';
import type { StatusMap, StatusValue } from '../../src/client/index.js';

const status = (fields: Record<string, StatusValue>): StatusMap => new Map(Object.entries(fields));
const links = (self: string, partners: string[], up = partners) => Object.fromEntries(partners.filter((p) => p !== self).map((p) => [`partner_node_status_server_${p}`, up.includes(p) ? 2 : 0]));
const leader = status({ self: 'a:1', state: 2, leader: 'a:1', has_quorum: true, raft_term: 5, commit_idx: 100, last_applied: 100, applied_digest: 'd100', election_mode: 'candidate', 'partner_node_status_server_b:1': 2, 'partner_node_status_server_c:1': 0 });
const follower = (self: string, commit: number, digest: string) => status({ self, state: 0, leader: 'a:1', has_quorum: true, raft_term: 5, commit_idx: commit, last_applied: commit, applied_digest: digest, election_mode: 'voter', ...links(self, ['a:1', 'b:1', 'c:1']) });
const up = (s: StatusMap): StatusReply => ({ status: s, error: null, errorCode: null });
const down = (address: string): StatusReply => ({ status: null, error: `${address} refused the connection`, errorCode: ExitCode.unreachable });
const replies = (entries: [string, StatusReply][]): StatusReplies => new Map(entries);
const verdictFrom = (r: StatusReplies, seed: string) => judgeCluster(buildView(r, seed), null, null);

test('members are named by self and the per-partner keys', () => {
  assert.deepEqual(membersOf(leader), ['a:1', 'b:1', 'c:1']);
});

test('a healthy view: leader found, lag against its commit, links as the leader sees them', () => {
  const view = buildView(replies([['a:1', up(leader)], ['b:1', up(follower('b:1', 97, 'd97'))], ['c:1', down('c:1')]]), 'a:1');
  assert.equal(view.leader?.address, 'a:1');
  assert.equal(view.membershipFrom, 'leader');
  const [a, b, c] = view.members;
  assert.equal(b!.lag, 3n);
  assert.equal(b!.connected, true);
  assert.equal(c!.connected, false);
  assert.equal(c!.role, 'unreachable');
  assert.equal(a!.diverged, false);
  const verdict = judgeCluster(view, null, { ok: true, leader: 'a:1', term: 5 });
  assert.equal(verdict.exitCode, ExitCode.degraded);
  assert.deepEqual(verdict.findings.map((f) => f.text), ['c:1 refused the connection']);
  assert.equal(judgeCluster(view, 2, null).findings.length, 2);
  assert.equal(clusterHealthLines(view, verdict, 5), 'degraded: c:1 refused the connection\n');
});

test('two members at one applied index with different digests are both marked, exit 8', () => {
  const view = buildView(replies([['a:1', up(leader)], ['b:1', up(follower('b:1', 100, 'OTHER'))], ['c:1', up(follower('c:1', 90, 'd90'))]]), 'a:1');
  assert.deepEqual(view.members.map((m) => m.diverged), [true, true, false]);
  assert.equal(judgeCluster(view, null, null).exitCode, ExitCode.diverged);
});

test('no leader is exit 7; a failed read barrier is exit 7; nobody answering is exit 3', () => {
  const leaderless = buildView(replies([['b:1', up(status({ self: 'b:1', state: 1, leader: null, raft_term: 9 }))]]), 'b:1');
  assert.equal(judgeCluster(leaderless, null, null).exitCode, ExitCode.noQuorum);
  assert.equal(leaderless.membershipFrom, 'union');
  const view = buildView(replies([['a:1', up(leader)], ['b:1', up(follower('b:1', 100, 'd100'))]]), 'a:1');
  assert.equal(judgeCluster(view, null, { ok: false, leader: 'a:1', reason: 'lost quorum' }).exitCode, ExitCode.noQuorum);
  assert.equal(judgeCluster(buildView(replies([['a:1', down('a:1')]]), 'a:1'), null, null).exitCode, ExitCode.unreachable);
});

test('healthy lines count members in the singular and plural', () => {
  const three = buildView(replies([['a:1', up(leader)], ['b:1', up(follower('b:1', 100, 'd100'))], ['c:1', up(follower('c:1', 100, 'd100'))]]), 'b:1');
  const verdict = judgeCluster(three, null, null);
  assert.equal(verdict.exitCode, ExitCode.ok);
  assert.equal(clusterHealthLines(three, verdict, null), 'healthy: 3 members, leader a:1 in term 5\n');
  const alone = buildView(replies([['z:1', up(status({ self: 'z:1', state: 2, leader: 'z:1', has_quorum: true, raft_term: 1 }))]]), 'z:1');
  assert.match(clusterHealthLines(alone, judgeCluster(alone, null, null), null), /^healthy: 1 member, z:1, which leads term 1 alone and names no other member/);
});

// A four-member configuration {a,b,c,d}: a leads term 4 with b and c; d was added, then started with no partners.
const four = ['a:1', 'b:1', 'c:1', 'd:1'];
const split = (): StatusReplies =>
  replies([
    ['a:1', up(status({ self: 'a:1', state: 2, leader: 'a:1', has_quorum: true, raft_term: 4, commit_idx: 369, last_applied: 369, ...links('a:1', four, ['b:1', 'c:1']) }))],
    ['b:1', up(status({ self: 'b:1', state: 0, leader: 'a:1', has_quorum: true, raft_term: 4, commit_idx: 369, last_applied: 369, ...links('b:1', four, ['a:1', 'c:1']) }))],
    ['c:1', up(status({ self: 'c:1', state: 0, leader: 'a:1', has_quorum: true, raft_term: 4, commit_idx: 369, last_applied: 369, ...links('c:1', four, ['a:1', 'b:1']) }))],
    ['d:1', up(status({ self: 'd:1', state: 2, leader: 'd:1', has_quorum: true, raft_term: 1, commit_idx: 2, last_applied: 2 }))],
  ]);

test('a member leading a one-member cluster of its own: exit 8 naming both leaders, from every member of the configuration', () => {
  for (const seed of ['a:1', 'b:1', 'c:1']) {
    const view = buildView(split(), seed);
    assert.equal(view.leader?.address, 'a:1', `asked ${seed}`);
    assert.deepEqual(view.members.map((m) => m.address), four);
    const verdict = judgeCluster(view, null, null);
    assert.equal(verdict.exitCode, ExitCode.diverged, `asked ${seed}`);
    assert.match(verdict.findings[0]!.text, /^two leaders: a:1 \(term 4, followed by 3 of the 4 members it names\) and d:1 \(term 1, followed by 1 of the 1 member it names\)$/);
  }
});

test('the lower-term leader without a majority is no leader: the highest term with a majority wins', () => {
  const r = split();
  // a no longer followed: b and c moved to term 5 and see no leader.
  r.set('b:1', up(status({ self: 'b:1', state: 1, leader: null, raft_term: 5, ...links('b:1', four) })));
  r.set('c:1', up(status({ self: 'c:1', state: 1, leader: null, raft_term: 5, ...links('c:1', four) })));
  r.delete('d:1');
  const view = buildView(r, 'b:1');
  assert.equal(view.leader, null);
  assert.equal(view.membershipFrom, 'union');
  const verdict = judgeCluster(view, null, null);
  assert.equal(verdict.exitCode, ExitCode.noQuorum);
  assert.match(verdict.findings.map((f) => f.text).join('\n'), /the leader a:1 does not reach a majority \(term 4, followed by 1 of the 4 members it names; 3 needed\)/);
});

test('a configured member that sees another leader or is in another term: degraded, with the reason', () => {
  const r = split();
  r.delete('d:1');
  r.set('d:1', up(status({ self: 'd:1', state: 1, leader: null, raft_term: 7, ...links('d:1', four) })));
  let verdict = verdictFrom(r, 'a:1');
  assert.equal(verdict.exitCode, ExitCode.degraded);
  assert.deepEqual(verdict.findings.map((f) => f.text), ['d:1 (candidate, term 7) sees no leader, not the leader a:1']);
  r.set('d:1', up(status({ self: 'd:1', state: 0, leader: 'a:1', raft_term: 3, ...links('d:1', four) })));
  verdict = verdictFrom(r, 'd:1');
  assert.deepEqual(verdict.findings.map((f) => f.text), ['d:1 is in term 3, the leader a:1 in term 4']);
});

// Three members {a,b,c} led by a; r:1 was removed but still runs, campaigning in ever higher terms.
const removed = (): StatusReplies => {
  const three = ['a:1', 'b:1', 'c:1'];
  return replies([
    ['a:1', up(status({ self: 'a:1', state: 2, leader: 'a:1', has_quorum: true, raft_term: 4, ...links('a:1', three) }))],
    ['b:1', up(status({ self: 'b:1', state: 0, leader: 'a:1', has_quorum: true, raft_term: 4, ...links('b:1', three) }))],
    ['c:1', up(status({ self: 'c:1', state: 0, leader: 'a:1', has_quorum: true, raft_term: 4, ...links('c:1', three) }))],
    ['r:1', up(status({ self: 'r:1', state: 1, leader: null, has_quorum: false, raft_term: 8, ...links('r:1', [...three, 'r:1'], []) }))],
  ]);
};

test('a removed member still running: not counted through the members, "not a member" and exit 6 when asked directly', () => {
  const through = buildView(removed(), 'b:1');
  assert.deepEqual(through.members.map((m) => m.address), ['a:1', 'b:1', 'c:1']);
  assert.deepEqual(through.outsiders.map((m) => m.address), ['r:1']);
  assert.equal(judgeCluster(through, null, null).exitCode, ExitCode.ok);
  const direct = buildView(removed(), 'r:1');
  assert.deepEqual(direct.members.map((m) => m.address), ['a:1', 'b:1', 'c:1']);
  const verdict = judgeCluster(direct, null, null);
  assert.equal(verdict.exitCode, ExitCode.degraded);
  assert.match(verdict.findings[0]!.text, /^r:1 is not a member of the cluster led by a:1 \(term 4\)/);
  assert.equal(direct.outsiders[0]!.role, 'not a member');
});

test('read-only members are rows with role read-only and never count towards quorum', () => {
  const withReaders = status({ ...Object.fromEntries(leader), 'partner_node_status_server_c:1': 2, readonly_nodes_count: 2, readonly_node_status_server_0: 2, readonly_node_status_server_1: 0 });
  const view = buildView(replies([['a:1', up(withReaders)], ['b:1', up(follower('b:1', 100, 'd100'))], ['c:1', up(follower('c:1', 100, 'd100'))]]), 'a:1');
  assert.deepEqual(view.readOnly.map((m) => [m.address, m.role, m.connected]), [['read-only #0', 'read-only', true], ['read-only #1', 'read-only', false]]);
  assert.equal(view.members.length, 3);
  const verdict = judgeCluster(view, null, null);
  assert.equal(verdict.exitCode, ExitCode.ok);
  assert.equal(clusterHealthLines(view, verdict, null), 'healthy: 3 members (and 2 read-only members), leader a:1 in term 5\n');
});

const fiveWithTwoDown = () => {
  const five = ['127.0.0.1:40001', '127.0.0.1:40002', '127.0.0.1:40003', '127.0.0.1:40004', '127.0.0.1:40005'];
  const node = (self: string, state: number) =>
    up(status({ self, state, leader: five[0]!, has_quorum: true, raft_term: 12, commit_idx: 123456, last_applied: 123456, applied_digest: '0123456789abcdef', election_mode: 'candidate', ...links(self, five, five.slice(0, 3)) }));
  return replies([
    [five[0]!, node(five[0]!, 2)],
    [five[1]!, node(five[1]!, 0)],
    [five[2]!, node(five[2]!, 0)],
    [five[3]!, { status: null, error: `${five[3]} refused the connection: is the node running, and is this its port?`, errorCode: ExitCode.unreachable }],
    [five[4]!, { status: null, error: `${five[4]} accepted the connection but did not complete the handshake within 2 s`, errorCode: ExitCode.timeout }],
  ]);
};

test('the table fits 80 columns for five members with two down; reasons are numbered lines under it', async () => {
  const view = buildView(fiveWithTwoDown(), '127.0.0.1:40001');
  const verdict = judgeCluster(view, null, null);
  const plain = await renderClusterTable(view, verdict, { color: false });
  const lines = plain.trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  assert.match(plain, /^127\.0\.0\.1:40004 +down .*\[1\] no answer$/m);
  assert.match(plain, /^127\.0\.0\.1:40005 +down .*\[2\] timed out$/m);
  assert.match(plain, /^\[1\] 127\.0\.0\.1:40004 refused the connection: is the node running, and is this its\n {4}port\?$/m);
  assert.match(plain, /^member +role +term +commit +lag +link +mode +note$/m, 'applied and digest give way first');
  assert.doesNotMatch(plain, /\x1b\[/);
  const wide = await renderClusterTable(view, verdict, { color: false, width: 200 });
  assert.match(wide, /0123456789ab/, 'a wide terminal gets the longer digest');
  assert.ok(Math.max(...wide.split('\n').map((l) => l.length)) > 80);
  assert.match(await renderClusterTable(view, verdict, { color: true }), /\x1b\[/);
});
