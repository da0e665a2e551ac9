// RaftMessageEncoder writes msgpack by hand: whatever it writes must decode, with the codec every
// member reads peers with, to the very message msgpackr would have carried, and a cached block of
// entries must never stand in for different entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RaftMessageEncoder } from '../../src/node/raft-message-encoder.js';
import { MessageCodec } from '../../src/wire/native/index.js';
import type { Entry, Message } from '../../src/raft/index.js';

const stamp = { from: '127.0.0.1:4001', term: 7, mode: 'candidate', supportedCodeVersion: 1 } as const;
const entry = (index: number, term: number, data: Uint8Array, kind: Entry['kind'] = 'command'): Entry => ({ index, term, kind, data });
const bytes = (n: number, seed = 0): Uint8Array => Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff));

test('messages decode to what they were, across every size of integer, string, bin and array', async () => {
  const codec = await MessageCodec.create();
  const encoder = new RaftMessageEncoder();
  const big = Array.from({ length: 70_000 }, (_, i) => entry(2 ** 33 + i, 2 ** 31 + 5, bytes(i % 3 === 0 ? 300 : 5, i)));
  const messages: Message[] = [
    { ...stamp, type: 'append', to: '127.0.0.1:4002', index: 0, logTerm: 0, entries: [], commit: 0 },
    { ...stamp, type: 'append', to: '127.0.0.1:4002', index: 127, logTerm: 128, entries: [entry(128, 255, bytes(0)), entry(129, 256, bytes(70_000), 'config')], commit: 65_535 },
    { ...stamp, type: 'append', to: 'ü'.repeat(40), index: 2 ** 33, logTerm: 2 ** 32 - 1, entries: big, commit: 2 ** 53 - 1 },
    { ...stamp, type: 'appendResp', to: 'x'.repeat(300), index: 5, reject: true, rejectHint: 3, logTerm: 2 },
    { ...stamp, type: 'heartbeat', to: 'b', commit: 9, context: 4 },
    { ...stamp, type: 'vote', to: 'b', index: 1, logTerm: 1, forced: false },
    { ...stamp, type: 'propose', to: 'b', requestId: 'r.1', kind: 'command', data: bytes(10), origin: 'c' },
  ];
  for (const m of messages) {
    const encoded = encoder.encode(m);
    assert.ok(encoded, `${m.type} is encoded here`);
    assert.deepEqual(codec.decode(encoded), codec.decode(codec.encode({ t: 'raft', m })), `${m.type} to ${m.to.slice(0, 20)}`);
  }
});

test('what this encoder does not write is left to msgpackr', () => {
  const encoder = new RaftMessageEncoder();
  const snapshot = { meta: { index: 1, term: 1, voters: ['a'], learners: [], codeVersion: 0 }, data: bytes(3) };
  assert.equal(encoder.encode({ ...stamp, type: 'snapshot', to: 'b', snapshot }), null);
  assert.equal(encoder.encode({ ...stamp, type: 'proposeResp', to: 'b', requestId: 1.5, index: 1, logTerm: 1 }), null);
  assert.equal(encoder.encode({ ...stamp, type: 'readIndexResp', to: 'b', requestId: 'r', reject: true, code: 'notLeader', reason: 'x' }) !== null, true);
});

test('a second follower sent the same entries gets the cached block; other entries at the same index do not', async () => {
  const codec = await MessageCodec.create();
  const encoder = new RaftMessageEncoder();
  const append = (to: string, entries: Entry[]): Message => ({ ...stamp, type: 'append', to, index: 4, logTerm: 3, entries, commit: 4 });
  const decoded = (m: Message) => codec.decode(encoder.encode(m)!) as { m: { entries: Entry[] } };
  const first = [entry(5, 3, bytes(8, 1)), entry(6, 3, bytes(8, 2))];
  assert.deepEqual(decoded(append('b', first)).m.entries, first);
  assert.deepEqual(decoded(append('c', first.map((e) => ({ ...e })))).m.entries, first);
  // A new leader's entries at the same indexes, of a later term.
  const rewritten = [entry(5, 3, bytes(8, 1)), entry(6, 4, bytes(8, 9))];
  assert.deepEqual(decoded(append('b', rewritten)).m.entries, rewritten);
  const longer = [...first, entry(7, 3, bytes(2))];
  assert.deepEqual(decoded(append('c', longer)).m.entries, longer);
});
