// The status reply has every key PySyncObj's getStatus has (per-peer index keys only on the leader),
// plus election_mode, drained, learners, voted_for, applied_digest and storage_fault; nodes are PyNode on PySyncObj's wire.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RaftStatus } from '../../src/raft/index.js';
import { buildStatus, statusToNative, statusToPy } from '../../src/node/status-report.js';
import { PyNode } from '../../src/wire/pysyncobj/index.js';

function raftStatus(role: RaftStatus['role']): RaftStatus {
  const leader = role === 'leader';
  return {
    id: 'a:1', role, term: 7, vote: 'a:1', leader: 'a:1', commit: 10, applied: 10, lastIndex: 11, snapshotIndex: 0, logLength: 11,
    electionMode: 'candidate', voters: ['a:1', 'b:2', 'c:3'], learners: [], enabledCodeVersion: 0, supportedCodeVersion: 0,
    peers: ['b:2', 'c:3'].map((id) => ({ id, voter: true, mode: 'candidate' as const, supportedCodeVersion: 0, match: leader ? 10 : null, next: leader ? 11 : null, state: leader ? ('replicate' as const) : null, recentActive: leader ? true : null })),
    hasQuorum: true, transfer: null, ignoredFromNonMembers: { count: 0, lastSender: null },
  };
}

const PYSYNCOBJ_KEYS = ['version', 'revision', 'self', 'state', 'leader', 'has_quorum', 'partner_nodes_count', 'readonly_nodes_count', 'log_len', 'last_applied', 'commit_idx', 'raft_term', 'next_node_idx_count', 'match_idx_count', 'leader_commit_idx', 'uptime', 'self_code_version', 'enabled_code_version'];

function build(role: RaftStatus['role'], fault: string | null = null, drained = false, raft = raftStatus(role)) {
  return buildStatus({ raft, partners: ['b:2', 'c:3'], isConnected: (p) => p === 'b:2', lastApplied: 10, leaderCommit: 10, uptimeSeconds: 5, appliedDigest: 'ab', storageFault: fault, drained });
}

test('the leader reports every PySyncObj key, the per-peer index keys, and ours', () => {
  const s = statusToNative(build('leader'));
  for (const k of [...PYSYNCOBJ_KEYS, 'election_mode', 'drained', 'voted_for', 'applied_digest', 'storage_fault']) assert.ok(k in s, k);
  assert.equal(s['state'], 2);
  assert.equal(s['revision'], 'deprecated');
  assert.equal(s['partner_node_status_server_b:2'], 2);
  assert.equal(s['partner_node_status_server_c:3'], 0);
  assert.equal(s['next_node_idx_count'], 2);
  assert.equal(s['match_idx_server_c:3'], 10);
  assert.equal(s['next_node_idx_server_b:2'], 11);
  assert.equal(s['storage_fault'], null);
});

test('a follower has no per-peer index keys and counts zero of them', () => {
  const s = statusToNative(build('follower', 'ENOSPC'));
  assert.equal(s['state'], 0);
  assert.equal(s['next_node_idx_count'], 0);
  assert.equal(s['match_idx_count'], 0);
  assert.ok(!Object.keys(s).some((k) => k.startsWith('match_idx_server_')));
  assert.equal(s['storage_fault'], 'ENOSPC');
});

test("PySyncObj's wire gets node values as PyNode, in PySyncObj's key order", () => {
  const py = statusToPy(build('candidate'));
  assert.ok(py.get('self') instanceof PyNode);
  assert.equal((py.get('leader') as PyNode).address, 'a:1');
  assert.equal(py.get('state'), 1);
  assert.deepEqual([...py.keys()].slice(0, 4), ['version', 'revision', 'self', 'state']);
});

test('drained is a boolean, so PySyncObj\'s client prints True or False; learners are named while they catch up', () => {
  assert.equal(statusToNative(build('follower'))['drained'], false);
  const raft = { ...raftStatus('leader'), electionMode: 'voter' as const, voters: ['a:1', 'b:2'], learners: ['c:3'] };
  const s = statusToNative(build('leader', null, true, raft));
  assert.equal(s['drained'], true);
  assert.equal(s['election_mode'], 'voter');
  assert.equal(s['learner_node_status_server_c:3'], 0);
  assert.ok(!('learner_node_status_server_b:2' in s), 'a voter is no learner');
  assert.equal(statusToPy(build('follower', null, true)).get('drained'), true);
});
