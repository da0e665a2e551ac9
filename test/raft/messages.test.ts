// The boundary check for peer messages: every message the core sends passes it; one missing a field its type needs, or lying about its sender, does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRaftMessage, RaftNode, type Message } from '../../src/raft/index.js';

const enc = new TextEncoder();

/** Fields a type may leave out; every other field a message carries is required by its type. */
const OPTIONAL: Record<string, readonly string[]> = {
  preVote: ['forced'],
  vote: ['forced'],
  appendResp: ['reject', 'rejectHint', 'logTerm'],
  heartbeat: ['context'],
  heartbeatResp: ['context'],
  proposeResp: ['leader', 'code'],
  readIndexResp: ['code'],
};

/** Three members exchanging every kind of message: elections, replication, forwarded writes, reads and a transfer. */
function traffic(): Message[] {
  const ids = ['a', 'b', 'c'];
  const nodes = new Map(ids.map((id) => [id, new RaftNode({ id, voters: ids, random: () => 0.5 })]));
  const queue: Message[] = [];
  const all: Message[] = [];
  const drain = (): void => {
    for (const n of nodes.values()) {
      for (let rd = n.ready(); rd; rd = n.ready()) {
        queue.push(...rd.messages);
        n.advance(rd);
      }
    }
  };
  const pump = (): void => {
    drain();
    for (let steps = 0; queue.length > 0 && steps < 10_000; steps++) {
      const m = queue.shift()!;
      all.push(structuredClone(m));
      nodes.get(m.to)!.step(m);
      drain();
    }
  };
  for (let i = 0; i < 20; i++) {
    nodes.get('a')!.tick();
    pump();
  }
  const follower = nodes.get('b')!;
  follower.propose(enc.encode('x'));
  follower.readIndex('r1');
  follower.proposeConfChange({ type: 'remove', node: 'z' }, 'bad-change');
  pump();
  follower.transferLeadership('c', 't1');
  pump();
  return all;
}

test('every message the core sends passes the boundary check, and each field its type needs is required', () => {
  const all = traffic();
  const types = new Set(all.map((m) => m.type));
  for (const t of ['preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp', 'timeoutNow', 'propose', 'proposeResp', 'readIndex', 'readIndexResp']) {
    assert.ok(types.has(t as Message['type']), `no ${t} in the traffic`);
  }
  for (const m of all) {
    assert.notEqual(parseRaftMessage(structuredClone(m), m.from), null, `refused: ${JSON.stringify(m)}`);
    for (const field of Object.keys(m)) {
      if (OPTIONAL[m.type]?.includes(field)) continue;
      const cut = structuredClone(m) as unknown as Record<string, unknown>;
      delete cut[field];
      assert.equal(parseRaftMessage(cut, m.from), null, `${m.type} without ${field} was accepted`);
    }
  }
});

test('a propose without a request id, a sender other than the peer, a term of Infinity: refused', () => {
  const stamp = { from: 'b', to: 'a', term: 1, mode: 'candidate', supportedCodeVersion: 0 };
  const propose = { ...stamp, type: 'propose', requestId: 'r', kind: 'command', data: new Uint8Array(1), origin: 'b' };
  assert.notEqual(parseRaftMessage(propose, 'b'), null);
  const { requestId: _, ...withoutId } = propose;
  assert.equal(parseRaftMessage(withoutId, 'b'), null);
  assert.equal(parseRaftMessage({ ...propose, kind: 'noop' }, 'b'), null);
  assert.equal(parseRaftMessage(propose, 'c'), null);
  assert.equal(parseRaftMessage({ ...stamp, type: 'heartbeat', commit: 0, term: Infinity }, 'b'), null);
  assert.equal(parseRaftMessage({ ...stamp, type: 'snapshot', snapshot: { meta: { index: 1 }, data: new Uint8Array() } }, 'b'), null);
  assert.equal(parseRaftMessage({ ...stamp, type: 'gossip' }, 'b'), null);
});

test('a refusal from a member that predates failure codes reads as unknownOutcome', () => {
  const old = { from: 'b', to: 'a', term: 1, mode: 'candidate', supportedCodeVersion: 0, type: 'proposeResp', requestId: 'r', reject: true, reason: 'not the leader' };
  const parsed = parseRaftMessage(old, 'b');
  assert.ok(parsed && parsed.type === 'proposeResp' && 'reject' in parsed);
  assert.equal(parsed.code, 'unknownOutcome');
  assert.equal(parseRaftMessage({ ...old, code: 'madeUp' }, 'b'), null);
});

test('a leader ignores answers from members it does not track, and counts them in its status', () => {
  const leader = new RaftNode({ id: 'a', voters: ['a'], random: () => 0 });
  for (let i = 0; i < 20; i++) leader.tick();
  for (let rd = leader.ready(); rd; rd = leader.ready()) leader.advance(rd);
  assert.equal(leader.softState().role, 'leader');
  const before = leader.status();
  leader.step({ type: 'appendResp', from: 'stranger', to: 'a', term: before.term, mode: 'candidate', supportedCodeVersion: 0, index: 99 });
  const after = leader.status();
  assert.deepEqual(after.ignoredFromNonMembers, { count: 1, lastSender: 'stranger' });
  assert.equal(after.commit, before.commit);
  assert.deepEqual(after.peers, []);
});
