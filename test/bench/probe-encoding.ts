// Diagnostic, not part of `npm run bench`: encoding time per entry of the leader's appends to two
// followers, msgpackr against RaftMessageEncoder (which reuses an append's entries for the second
// follower), at 5, 100 and 1,000 entries an append. `node dist/test/bench/probe-encoding.js`

import { RaftMessageEncoder } from '../../src/node/raft-message-encoder.js';
import type { Message } from '../../src/raft/index.js';
import { MessageCodec } from '../../src/wire/native/index.js';

const codec = await MessageCodec.create();
const encoder = new RaftMessageEncoder();
const data = Buffer.alloc(69, 7);
const append = (to: string, first: number, n: number): Message => ({
  type: 'append',
  to,
  index: first - 1,
  logTerm: 2,
  entries: Array.from({ length: n }, (_, i) => ({ index: first + i, term: 2, kind: 'command' as const, data })),
  commit: first - 5,
  from: '127.0.0.1:4001',
  term: 2,
  mode: 'candidate',
  supportedCodeVersion: 1,
});
const ways: [string, (m: Message) => unknown][] = [
  ['msgpackr', (m) => codec.encode({ t: 'raft', m })],
  ['RaftMessageEncoder', (m) => encoder.encode(m)],
];
for (const n of [5, 100, 1000]) {
  const rounds = Math.round(200_000 / n);
  const pairs = Array.from({ length: rounds }, (_, r) => [append('127.0.0.1:4002', 10 + r * n, n), append('127.0.0.1:4003', 10 + r * n, n)] as const);
  for (const [name, encode] of ways) {
    for (const [a, b] of pairs.slice(0, 50)) {
      encode(a);
      encode(b);
    }
    const started = process.hrtime.bigint();
    for (const [a, b] of pairs) {
      encode(a);
      encode(b);
    }
    const ns = Number(process.hrtime.bigint() - started);
    console.log(`${n} entries an append, ${name}: ${(ns / (rounds * n) / 1000).toFixed(3)} µs per entry for both followers`);
  }
}
