// The history checker on small hand-made histories, linearizable and not, and on random histories
// linearizable by construction (and then broken on purpose).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkHistory, findLostWrites, relevantOps } from './checker.js';
import { Prng } from '../sim/prng.js';
import type { HistoryOp, OpKind, OpStatus } from './history.js';
import { testSeed } from '../support/seed.js';

let nextId = 0;
function op(kind: OpKind, value: string | null, call: number, ret: number, status: OpStatus = 'ok', key = 'k'): HistoryOp {
  return { id: nextId++, client: 0, key, kind, value, call, ret: status === 'unknown' && kind !== 'get' ? Infinity : ret, status };
}

describe('linearizability checker: hand-made histories', () => {
  test('a sequential history that reads what was written is linearizable', () => {
    const h = [op('get', null, 0, 1), op('set', 'a', 2, 3), op('get', 'a', 4, 5), op('del', null, 6, 7), op('get', null, 8, 9)];
    assert.equal(checkHistory(h).verdict, 'ok');
  });

  test('a read of an overwritten value after the overwrite returned is a violation', () => {
    const h = [op('set', 'a', 0, 1), op('set', 'b', 2, 3), op('get', 'a', 4, 5)];
    const r = checkHistory(h);
    assert.equal(r.verdict, 'violation');
    assert.match(r.keys[0]!.explanation ?? '', /get\(k\) -> "a"/);
  });

  test('a read concurrent with a write may see either value', () => {
    for (const seen of ['a', 'b']) {
      const h = [op('set', 'a', 0, 1), op('set', 'b', 2, 10), op('get', seen, 3, 4)];
      assert.equal(checkHistory(h).verdict, 'ok', `reading ${seen}`);
    }
  });

  test('two reads may not see a concurrent write in opposite orders (new, then old)', () => {
    const h = [op('set', 'a', 0, 1), op('set', 'b', 2, 20), op('get', 'b', 3, 4), op('get', 'a', 5, 6)];
    assert.equal(checkHistory(h).verdict, 'violation');
  });

  test('a write with an unknown outcome may take effect at any later time, or never', () => {
    const applied = [op('set', 'a', 0, 1), op('set', 'x', 2, 0, 'unknown'), op('get', 'a', 10, 11), op('get', 'x', 100, 101)];
    assert.equal(checkHistory(applied).verdict, 'ok');
    const never = [op('set', 'a', 0, 1), op('set', 'x', 2, 0, 'unknown'), op('get', 'a', 100, 101)];
    assert.equal(checkHistory(never).verdict, 'ok');
  });

  test('but an unknown write seen once cannot be unseen without another write', () => {
    const h = [op('set', 'a', 0, 1), op('set', 'x', 2, 0, 'unknown'), op('get', 'x', 10, 11), op('get', 'a', 20, 21)];
    assert.equal(checkHistory(h).verdict, 'violation');
  });

  test('a value nobody wrote is a violation; failed writes and unanswered reads are ignored', () => {
    assert.equal(checkHistory([op('get', 'ghost', 0, 1)]).verdict, 'violation');
    const h = [op('set', 'a', 0, 1), op('set', 'f', 2, 3, 'fail'), op('get', null, 4, 5, 'unknown'), op('get', 'a', 6, 7)];
    assert.equal(checkHistory(h).verdict, 'ok');
  });

  test('del makes the key absent', () => {
    assert.equal(checkHistory([op('set', 'a', 0, 1), op('del', null, 2, 3), op('get', null, 4, 5)]).verdict, 'ok');
    assert.equal(checkHistory([op('set', 'a', 0, 1), op('del', null, 2, 3), op('get', 'a', 4, 5)]).verdict, 'violation');
  });

  test('keys are independent registers', () => {
    const h = [op('set', 'a', 0, 1, 'ok', 'k1'), op('set', 'b', 2, 3, 'ok', 'k2'), op('get', 'a', 4, 5, 'ok', 'k1'), op('get', 'a', 6, 7, 'ok', 'k2')];
    const r = checkHistory(h);
    assert.equal(r.verdict, 'violation');
    assert.deepEqual(r.keys.map((k) => [k.key, k.verdict]), [['k1', 'ok'], ['k2', 'violation']]);
  });

  test('an exhausted step budget is inconclusive, not a verdict', () => {
    const h: HistoryOp[] = [];
    for (let i = 0; i < 14; i++) h.push(op('set', `v${i}`, 0, 100));
    h.push(op('get', 'nobody', 101, 102));
    assert.equal(checkHistory(h, { maxStepsPerKey: 50 }).verdict, 'inconclusive');
    assert.equal(checkHistory(h).verdict, 'violation');
  });
});

describe('acknowledged writes survive', () => {
  test('the final value from the last acknowledged write is fine; an older one means a lost write', () => {
    const h = [op('set', 'a', 0, 1), op('set', 'b', 2, 3)];
    assert.deepEqual(findLostWrites(h, new Map([['k', 'b']])), []);
    const lost = findLostWrites(h, new Map([['k', 'a']]));
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.write.value, 'b');
    assert.equal(findLostWrites(h, new Map([['k', null]])).length, 1);
  });

  test('an unknown write may be the final value; a concurrent acknowledged one may be overwritten by it', () => {
    const h = [op('set', 'a', 0, 10), op('set', 'b', 2, 0, 'unknown')];
    assert.deepEqual(findLostWrites(h, new Map([['k', 'b']])), []);
    assert.deepEqual(findLostWrites(h, new Map([['k', 'a']])), []);
    assert.equal(findLostWrites(h, new Map([['k', 'zzz']])).length, 1);
  });
});

/** A register history whose operations take effect at a random instant inside their interval. */
function linearizableHistory(seedOps: { kind: OpKind; start: number; length: number; point: number; outcome: number }[]): HistoryOp[] {
  const timed = seedOps.map((s, i) => ({ ...s, i, call: s.start, ret: s.start + s.length, at: s.start + s.point * s.length }));
  let state: string | null = null;
  const result: HistoryOp[] = [];
  for (const t of [...timed].sort((a, b) => a.at - b.at)) {
    const status: OpStatus = t.kind !== 'get' && t.outcome < 0.15 ? 'unknown' : 'ok';
    if (t.kind === 'set') state = `v${t.i}`;
    else if (t.kind === 'del') state = null;
    result.push({ id: t.i, client: t.i % 4, key: 'k', kind: t.kind, value: t.kind === 'set' ? `v${t.i}` : t.kind === 'get' ? state : null, call: t.call, ret: status === 'unknown' ? Infinity : t.ret, status });
  }
  return result.sort((a, b) => a.id - b.id);
}

const arbitraryOps = fc.array(
  fc.record({
    kind: fc.constantFrom<OpKind>('set', 'set', 'get', 'get', 'del'),
    start: fc.integer({ min: 0, max: 200 }),
    length: fc.integer({ min: 1, max: 30 }),
    point: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    outcome: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('linearizability checker: random histories', () => {
  test('histories generated from a register with a linearization point per operation pass', () => {
    fc.assert(
      fc.property(arbitraryOps, (ops) => checkHistory(linearizableHistory(ops)).verdict === 'ok'),
      { numRuns: 300, seed: testSeed(20_261_123) },
    );
  });

  test('the same histories with one read changed to a value never written fail', () => {
    fc.assert(
      fc.property(arbitraryOps, fc.nat(), (ops, which) => {
        const h = linearizableHistory(ops);
        const reads = h.filter((o) => o.kind === 'get');
        fc.pre(reads.length > 0);
        reads[which % reads.length]!.value = 'never-written';
        return checkHistory(h).verdict === 'violation';
      }),
      { numRuns: 300, seed: testSeed(20_261_124) },
    );
  });
});

describe('linearizability checker: scale', () => {
  test('10,000 operations from 5 sequential clients, 3% of writes unknown, are decided well within the budget', () => {
    const r = new Prng(99);
    const timed: { i: number; kind: OpKind; call: number; ret: number; at: number; unknown: boolean }[] = [];
    let id = 0;
    for (let c = 0; c < 5; c++) {
      let t = r.next();
      for (let j = 0; j < 2000; j++) {
        const length = 0.2 + r.next() * 3;
        const kind: OpKind = r.next() < 0.45 ? 'set' : r.next() < 0.8 ? 'get' : 'del';
        timed.push({ i: id++, kind, call: t, ret: t + length, at: t + r.next() * length, unknown: kind !== 'get' && r.next() < 0.03 });
        t += length + r.next() * 0.5;
      }
    }
    let state: string | null = null;
    const h: HistoryOp[] = [];
    for (const o of [...timed].sort((a, b) => a.at - b.at)) {
      if (o.kind === 'set') state = `v${o.i}`;
      else if (o.kind === 'del') state = null;
      h.push({ id: o.i, client: 0, key: 'k', kind: o.kind, value: o.kind === 'set' ? `v${o.i}` : o.kind === 'get' ? state : null, call: o.call, ret: o.unknown ? Infinity : o.ret, status: o.unknown ? 'unknown' : 'ok' });
    }
    const result = checkHistory(h, { maxStepsPerKey: 1_000_000 });
    assert.equal(result.verdict, 'ok', `steps ${result.keys[0]!.steps}`);
    const read = h.find((o) => o.kind === 'get' && o.value !== null)!;
    read.value = 'never-written';
    assert.equal(checkHistory(h, { maxStepsPerKey: 1_000_000 }).verdict, 'violation');
  });

  test('an unknown set nobody read is left out; one somebody read is kept', () => {
    const h = [op('set', 'a', 0, 1), op('set', 'x', 2, 0, 'unknown'), op('set', 'y', 2, 0, 'unknown'), op('get', 'y', 5, 6)];
    assert.deepEqual(relevantOps(h).map((o) => o.value), ['a', 'y', 'y']);
  });
});
