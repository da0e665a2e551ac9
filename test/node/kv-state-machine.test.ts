// The key-value state machine: the applied digest is a SHA-256 chain over (index, command bytes),
// equal on members that applied the same entries, and it survives a snapshot round trip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeKvCommand, decodeKvCommand } from '../../src/node/kv-command.js';
import { KvStateMachine } from '../../src/node/kv-state-machine.js';

test('the digest is sha256(previous ‖ index as uint64 BE ‖ command bytes), from 32 zero bytes', () => {
  const sm = new KvStateMachine();
  assert.equal(sm.digestHex, '0'.repeat(64));
  const command = encodeKvCommand({ op: 'set', key: 'a', value: '1' });
  sm.applyCommand(3, command);
  const index = Buffer.alloc(8);
  index.writeBigUInt64BE(3n);
  const expected = createHash('sha256').update(Buffer.alloc(32)).update(index).update(command).digest('hex');
  assert.equal(sm.digestHex, expected);
  assert.equal(sm.get('a'), '1');
  assert.equal(sm.lastApplied, 3);
});

test('members applying the same entries agree; a different index or order does not', () => {
  const entries = [
    encodeKvCommand({ op: 'set', key: 'x', value: '1' }),
    encodeKvCommand({ op: 'set', key: 'y', value: '2' }),
    encodeKvCommand({ op: 'del', key: 'x' }),
  ];
  const a = new KvStateMachine();
  const b = new KvStateMachine();
  const c = new KvStateMachine();
  entries.forEach((e, i) => a.applyCommand(i + 2, e));
  entries.forEach((e, i) => b.applyCommand(i + 2, e));
  entries.forEach((e, i) => c.applyCommand(i + 3, e));
  assert.equal(a.digestHex, b.digestHex);
  assert.notEqual(a.digestHex, c.digestHex);
  assert.equal(a.get('x'), undefined);
  assert.equal(a.get('y'), '2');
});

test('no-op entries move last_applied but not the digest', () => {
  const sm = new KvStateMachine();
  sm.skip(1);
  assert.equal(sm.lastApplied, 1);
  assert.equal(sm.digestHex, '0'.repeat(64));
});

test('a snapshot restores the map and the digest, and the chain continues the same', () => {
  const a = new KvStateMachine();
  a.applyCommand(1, encodeKvCommand({ op: 'set', key: 'k', value: 'v' }));
  a.applyCommand(2, encodeKvCommand({ op: 'set', key: 'üñí', value: 'ç' }));
  const b = new KvStateMachine();
  b.restore(a.serialize(), 2);
  assert.equal(b.digestHex, a.digestHex);
  assert.equal(b.get('üñí'), 'ç');
  const next = encodeKvCommand({ op: 'del', key: 'k' });
  a.applyCommand(3, next);
  b.applyCommand(3, next);
  assert.equal(b.digestHex, a.digestHex);
  assert.equal(b.size, 1);
});

test('bytes that are not a command still enter the digest and change nothing else', () => {
  const sm = new KvStateMachine();
  sm.applyCommand(1, Buffer.from('not json'));
  assert.notEqual(sm.digestHex, '0'.repeat(64));
  assert.equal(sm.size, 0);
  assert.equal(decodeKvCommand(Buffer.from('{"op":"set","key":1}')), null);
});

test('a write re-sent with the same (session, seq) is applied once, even across a snapshot', () => {
  const client = (seq: number, floor: number) => ({ session: 'c1', seq, floor });
  const sm = new KvStateMachine();
  sm.applyCommand(1, encodeKvCommand({ op: 'set', key: 'k', value: 'first', client: client(1, 1) }));
  sm.applyCommand(2, encodeKvCommand({ op: 'del', key: 'k', client: client(2, 2) }));
  // The re-send of write 1 (its first reply was lost) must not bring the value back.
  sm.applyCommand(3, encodeKvCommand({ op: 'set', key: 'k', value: 'first', client: client(1, 1) }));
  assert.equal(sm.get('k'), undefined);
  // Pipelined writes may commit out of order: 4 before 3, both apply.
  sm.applyCommand(4, encodeKvCommand({ op: 'set', key: 'a', value: '4', client: client(4, 3) }));
  sm.applyCommand(5, encodeKvCommand({ op: 'set', key: 'b', value: '3', client: client(3, 3) }));
  assert.equal(sm.get('a'), '4');
  assert.equal(sm.get('b'), '3');
  const restored = new KvStateMachine();
  restored.restore(sm.serialize(), 5);
  restored.applyCommand(6, encodeKvCommand({ op: 'set', key: 'a', value: 'dup', client: client(4, 3) }));
  assert.equal(restored.get('a'), '4');
  // Another session with the same numbers is independent.
  restored.applyCommand(7, encodeKvCommand({ op: 'set', key: 'a', value: 'other', client: { session: 'c2', seq: 4, floor: 4 } }));
  assert.equal(restored.get('a'), 'other');
});

test('the chain holds for indexes past 2^32 and commands larger than the scratch buffer', () => {
  const sm = new KvStateMachine();
  let expected = Buffer.alloc(32);
  const entries: [number, Uint8Array][] = [
    [2 ** 32 + 7, encodeKvCommand({ op: 'set', key: 'a', value: 'x'.repeat(10_000) })],
    [2 ** 40 + 1, encodeKvCommand({ op: 'del', key: 'a' })],
    [2 ** 40 + 2, encodeKvCommand({ op: 'set', key: 'b', value: 'small' })],
  ];
  for (const [index, command] of entries) {
    sm.applyCommand(index, command);
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(index));
    expected = createHash('sha256').update(expected).update(head).update(command).digest();
    assert.equal(sm.digestHex, expected.toString('hex'), `digest after index ${index}`);
  }
  assert.equal(sm.get('b'), 'small');
});

test('write numbers are forgotten exactly below the floor, however far it moves and however many are in flight', () => {
  // A naive model of the at-most-once table: every applied number at or above the floor.
  const model = { floor: 0, applied: [] as number[] };
  let seed = 0x5eed;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const sm = new KvStateMachine();
  let next = 1;
  const inFlight: number[] = [];
  for (let index = 1; index <= 3000; index++) {
    // Up to 600 writes in flight, completing in any order; now and then a floor jumps past every
    // number issued so far (a client that gave up on its writes), by a little or by far more than the table holds.
    while (inFlight.length < 1 + Math.floor(random() * 600)) inFlight.push(next++);
    const seq = inFlight.splice(Math.floor(random() * inFlight.length), 1)[0]!;
    const jump = random();
    const floor = jump < 0.002 ? next + Math.floor(random() * 20) : jump < 0.003 ? next + 10_000 : Math.min(seq, ...inFlight);
    sm.applyCommand(index, encodeKvCommand({ op: 'set', key: 'k', value: String(seq), client: { session: 's', seq, floor } }));
    if (!(seq < model.floor || model.applied.includes(seq))) model.applied.push(seq);
    if (floor > model.floor) {
      model.floor = floor;
      model.applied = model.applied.filter((q) => q >= floor);
    }
    if (index % 250 === 0) {
      const [session] = (JSON.parse(Buffer.from(sm.serialize()).toString('utf8')) as { sessions: [string, number, number[]][] }).sessions;
      assert.deepEqual(session, ['s', model.floor, model.applied], `after ${index} writes`);
    }
  }
});
