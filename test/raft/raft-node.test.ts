// The RaftNode contract the runtime relies on: durable before sent, restart from storage, plain messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RaftNode, type Entry, type HardState, type Message, type Ready } from '../../src/raft/index.js';

const enc = new TextEncoder();

/** A minimal shell: persists into memory, collects what would be sent and applied. */
function drain(node: RaftNode, disk: { hs: HardState; entries: Entry[] }, sent: Message[], applied: Entry[]): Ready[] {
  const readies: Ready[] = [];
  for (let rd = node.ready(); rd; rd = node.ready()) {
    readies.push(rd);
    if (rd.hardState) disk.hs = rd.hardState;
    if (rd.entries.length > 0) disk.entries = [...disk.entries.filter((e) => e.index < rd.entries[0]!.index), ...rd.entries];
    sent.push(...rd.messages);
    applied.push(...rd.committed);
    node.advance(rd);
  }
  return readies;
}

test('a vote leaves only in a Ready that also persists it (durable before sent)', () => {
  const node = new RaftNode({ id: 'a', voters: ['a', 'b', 'c'], random: () => 0, preVote: false });
  for (let i = 0; i < 10; i++) node.tick();
  const rd = node.ready()!;
  assert.ok(rd.messages.some((m) => m.type === 'vote'));
  assert.deepEqual(rd.hardState, { term: 1, vote: 'a', commit: 0 });
  node.advance(rd);

  const voter = new RaftNode({ id: 'b', voters: ['a', 'b', 'c'], random: () => 0 });
  voter.step(rd.messages.find((m) => m.to === 'b')!);
  const answer = voter.ready()!;
  assert.ok(answer.messages.some((m) => m.type === 'voteResp' && !m.reject));
  assert.deepEqual(answer.hardState, { term: 1, vote: 'a', commit: 0 });
});

test('a single voter commits its entry only once the entry is durable (after advance)', () => {
  const node = new RaftNode({ id: 'a', voters: ['a'], random: () => 0 });
  for (let i = 0; i < 10; i++) node.tick();
  const first = node.ready()!;
  assert.equal(first.entries.length, 1, 'the no-op of the new term');
  assert.equal(first.committed.length, 0, 'not committed before it is persisted');
  assert.equal(node.ready(), null, 'no second Ready before advance');
  node.advance(first);
  const second = node.ready()!;
  assert.deepEqual(second.committed.map((e) => e.index), [1]);
  assert.throws(() => node.advance(first), /last returned/);
});

test('a restart resumes term, vote and commit from storage, and re-applies committed entries', () => {
  const disk = { hs: { term: 0, vote: null, commit: 0 } as HardState, entries: [] as Entry[] };
  const node = new RaftNode({ id: 'a', voters: ['a'], random: () => 0 });
  for (let i = 0; i < 10; i++) node.tick();
  drain(node, disk, [], []);
  node.propose(enc.encode('x'), 'req-1');
  const readies = drain(node, disk, [], []);
  assert.ok(readies.some((rd) => rd.results.some((r) => r.type === 'proposal' && r.ok && r.requestId === 'req-1')));

  const applied: Entry[] = [];
  const restarted = new RaftNode({ id: 'a', voters: ['a'], random: () => 0, hardState: disk.hs, entries: disk.entries });
  drain(restarted, disk, [], applied);
  const s = restarted.status();
  assert.equal(s.term, 1);
  assert.equal(s.vote, 'a');
  assert.equal(s.commit, 2);
  assert.deepEqual(applied.map((e) => e.index), [1, 2]);
});

test('messages hold only JSON/msgpack-friendly values', () => {
  const nodes = new Map(['a', 'b', 'c'].map((id) => [id, new RaftNode({ id, voters: ['a', 'b', 'c'], random: () => 0.5 })]));
  const queue: Message[] = [];
  const all: Message[] = [];
  const pump = (): void => {
    for (const n of nodes.values()) drain(n, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, queue, []);
    while (queue.length > 0) {
      const m = queue.shift()!;
      all.push(m);
      nodes.get(m.to)!.step(m);
      for (const n of nodes.values()) drain(n, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, queue, []);
    }
  };
  for (let i = 0; i < 20; i++) {
    nodes.get('a')!.tick();
    pump();
  }
  nodes.get('a')!.propose(enc.encode('x'));
  nodes.get('a')!.readIndex('r');
  pump();
  assert.ok(all.length > 10);
  const plain = (v: unknown): boolean =>
    v === null ||
    ['string', 'number', 'boolean'].includes(typeof v) ||
    v instanceof Uint8Array ||
    (Array.isArray(v) && v.every(plain)) ||
    (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(plain));
  for (const m of all) assert.ok(plain(m), `not plain: ${JSON.stringify(m)}`);
});

test('the same injected randomness gives the same run', () => {
  const run = (): string[] => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const node = new RaftNode({ id: 'a', voters: ['a', 'b', 'c'], random });
    const out: string[] = [];
    for (let i = 0; i < 60; i++) {
      node.tick();
      const rd = node.ready();
      if (rd) {
        out.push(`${i}:${rd.messages.map((m) => `${m.type}${m.term}`).join(',')}`);
        node.advance(rd);
      }
    }
    return out;
  };
  const first = run();
  assert.ok(first.length > 0);
  assert.deepEqual(run(), first);
});

test('turning voter abandons a campaign in progress, and the next messages carry the new mode', () => {
  const node = new RaftNode({ id: 'a', voters: ['a', 'b', 'c'], random: () => 0, preVote: false });
  // Heard from b (a candidate), so a knows another member able to lead.
  node.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, mode: 'candidate', supportedCodeVersion: 0, commit: 0 });
  drain(node, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, [], []);
  for (let i = 0; i < 30 && node.softState().role !== 'candidate'; i++) node.tick();
  assert.equal(node.softState().role, 'candidate');
  drain(node, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, [], []);
  assert.deepEqual(node.setElectionMode('voter'), { ok: true });
  assert.equal(node.softState().role, 'follower');
  const sent: Message[] = [];
  for (let i = 0; i < 60; i++) node.tick();
  node.step({ type: 'heartbeat', from: 'b', to: 'a', term: node.softState().term, mode: 'candidate', supportedCodeVersion: 0, commit: 0 });
  drain(node, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, sent, []);
  assert.ok(!sent.some((m) => m.type === 'vote' || m.type === 'preVote'), 'a voter never campaigns');
  assert.ok(sent.length > 0 && sent.every((m) => m.mode === 'voter'));
  assert.equal(node.status().electionMode, 'voter');
});

test('turning voter is refused with lastLeaderCandidate while no other voter is known to be able to lead', () => {
  const node = new RaftNode({ id: 'a', voters: ['a', 'b', 'c'], random: () => 0 });
  const refused = node.setElectionMode('voter');
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.code, 'lastLeaderCandidate');
  assert.equal(node.mode, 'candidate');
  // b says it is a voter: still nobody else able to lead. c says manual: it may lead through a transfer.
  node.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, mode: 'voter', supportedCodeVersion: 0, commit: 0 });
  assert.equal(node.setElectionMode('voter').ok, false);
  node.step({ type: 'heartbeatResp', from: 'c', to: 'a', term: 1, mode: 'manual', supportedCodeVersion: 0 });
  assert.deepEqual(node.setElectionMode('voter'), { ok: true });
  assert.deepEqual(node.setElectionMode('candidate'), { ok: true }, 'leaving voter mode is never refused');
});

test('proposals and acknowledgements between two Readies reach each follower as one append', () => {
  const ids = ['a', 'b', 'c'];
  const nodes = new Map(ids.map((id, i) => [id, new RaftNode({ id, voters: ids, random: () => (i === 0 ? 0 : 0.99) })]));
  const disks = new Map(ids.map((id) => [id, { hs: { term: 0, vote: null, commit: 0 } as HardState, entries: [] as Entry[] }]));
  const step = (id: string): Message[] => {
    const sent: Message[] = [];
    drain(nodes.get(id)!, disks.get(id)!, sent, []);
    return sent;
  };
  // Elect a: tick it past its election timeout, then deliver everything until the network is quiet.
  for (let i = 0; i < 30 && nodes.get('a')!.softState().role !== 'leader'; i++) {
    nodes.get('a')!.tick();
    let queue = ids.flatMap(step);
    for (let rounds = 0; queue.length > 0 && rounds < 50; rounds++) {
      for (const m of queue) nodes.get(m.to)!.step(m);
      queue = ids.flatMap(step);
    }
  }
  const leader = nodes.get('a')!;
  assert.equal(leader.softState().role, 'leader');

  for (let i = 0; i < 100; i++) leader.propose(enc.encode(`w${i}`), `r${i}`);
  const out = step('a');
  const appends = out.filter((m) => m.type === 'append');
  assert.deepEqual(appends.map((m) => [m.to, m.type === 'append' ? m.entries.length : 0]), [['b', 100], ['c', 100]]);

  // Both followers acknowledge; the commit that follows reaches each of them in one message.
  const acks = ['b', 'c'].flatMap((id) => {
    nodes.get(id)!.step(appends.find((m) => m.to === id)!);
    return step(id);
  });
  assert.equal(acks.length, 2);
  for (const m of acks) leader.step(m);
  const announce = step('a');
  assert.deepEqual(announce.map((m) => [m.to, m.type]), [['b', 'append'], ['c', 'append']]);
  assert.ok(announce.every((m) => m.type === 'append' && m.commit === leader.softState().commit && m.entries.length === 0));
});

test('after code version 1 is enabled, a member added later gets no entries until it shows it supports version 1', () => {
  const ids = ['a', 'b', 'c'];
  const make = (id: string, voters: string[], supportedCodeVersion: number, r: number) => new RaftNode({ id, voters, supportedCodeVersion, random: () => r });
  const nodes = new Map(ids.map((id, i) => [id, make(id, ids, 1, i === 0 ? 0 : 0.99)]));
  const received = new Map<string, number>();
  const drainAll = (): Message[] =>
    [...nodes.keys()].flatMap((id) => {
      const sent: Message[] = [];
      drain(nodes.get(id)!, { hs: { term: 0, vote: null, commit: 0 }, entries: [] }, sent, []);
      return sent;
    });
  const settle = (ticks: number) => {
    for (let t = 0; t < ticks; t++) {
      for (const n of nodes.values()) n.tick();
      let queue = drainAll();
      for (let r = 0; r < 50 && queue.length > 0; r++) {
        for (const m of queue) {
          if (m.type === 'append' || m.type === 'snapshot') received.set(m.to, (received.get(m.to) ?? 0) + (m.type === 'append' ? m.entries.length : 1));
          nodes.get(m.to)?.step(m);
        }
        queue = drainAll();
      }
    }
  };
  settle(30);
  const leader = nodes.get('a')!;
  assert.equal(leader.softState().role, 'leader');
  leader.proposeVersion(1);
  settle(5);
  assert.equal(leader.status().enabledCodeVersion, 1);

  // d runs an older build (version 0 only) and is added after the switch.
  nodes.set('d', make('d', [], 0, 0.99));
  leader.proposeConfChange({ type: 'add', node: 'd' });
  for (let i = 0; i < 5; i++) leader.propose(enc.encode(`after ${i}`));
  settle(40);
  assert.equal(received.get('d') ?? 0, 0, 'no entry and no snapshot reach a member that cannot read them');
  assert.ok(leader.status().learners.includes('d'), 'it stays a learner: never caught up, never promoted');

  // Upgraded, its answers carry version 1, and it catches up.
  nodes.set('d', make('d', [], 1, 0.99));
  settle(40);
  assert.ok((received.get('d') ?? 0) > 0);
  assert.equal(nodes.get('d')!.softState().commit, leader.softState().commit);
});
