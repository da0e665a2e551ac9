// The key-value state machine: the applied digest is a chain over (index, command bytes), SHA-256
// before code version 1 and 64 bits from it on, equal on members that applied the same entries, and
// it survives a snapshot round trip.

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
  b.restore(a.serialize(), 2, 0);
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
  restored.restore(sm.serialize(), 5, 0);
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

test('binary commands (code version 1) decode to what was encoded, sessions and UTF-8 included', () => {
  const commands = [
    { op: 'set', key: 'k', value: 'v' },
    { op: 'set', key: 'üñí', value: '', client: { session: 'c0ffee', seq: 2 ** 40, floor: 17 } },
    { op: 'del', key: '' },
    { op: 'del', key: 'x'.repeat(70_000), client: { session: 's', seq: 0, floor: 0 } },
  ] as const;
  for (const command of commands) {
    const bytes = encodeKvCommand(command, 1);
    assert.notEqual(bytes[0], '{'.charCodeAt(0));
    assert.deepEqual(decodeKvCommand(bytes), command);
    assert.deepEqual(decodeKvCommand(encodeKvCommand(command, 0)), command, 'the JSON layout still decodes');
  }
});

test('a binary record that overruns itself or has bytes left over is not a command', () => {
  const good = Buffer.from(encodeKvCommand({ op: 'set', key: 'key', value: 'value', client: { session: 'abc', seq: 1, floor: 1 } }, 1));
  for (let cut = 1; cut < good.length; cut++) assert.equal(decodeKvCommand(good.subarray(0, cut)), null, `cut to ${cut} bytes`);
  assert.equal(decodeKvCommand(Buffer.concat([good, Buffer.of(0)])), null);
  const huge = Buffer.from(good);
  huge.writeUInt32BE(0xffff_fff0, 1);
  assert.equal(decodeKvCommand(huge), null);
});

test('the version entry switches the chain to 64 bits at its index, and a snapshot taken after it carries on the same', () => {
  const before = encodeKvCommand({ op: 'set', key: 'a', value: '1' });
  const after = [encodeKvCommand({ op: 'set', key: 'b', value: '2' }, 1), encodeKvCommand({ op: 'del', key: 'a' }, 1)];
  const a = new KvStateMachine();
  a.applyCommand(1, before);
  const sha = a.digestHex;
  a.enableCodeVersion(2, 1);
  assert.equal(a.codeVersion, 1);
  assert.equal(a.lastApplied, 2);
  assert.equal(a.digestHex, sha.slice(0, 16), 'the switch keeps the first 8 bytes');
  a.applyCommand(3, after[0]!);
  assert.match(a.digestHex, /^[0-9a-f]{16}$/);
  assert.notEqual(a.digestHex, sha.slice(0, 16));

  // A member restored from a snapshot taken after the switch chains the next entry as the others do.
  const b = new KvStateMachine();
  b.restore(a.serialize(), 3, 1);
  a.applyCommand(4, after[1]!);
  b.applyCommand(4, after[1]!);
  assert.equal(b.digestHex, a.digestHex);
  assert.equal(b.get('a'), undefined);
  assert.equal(b.get('b'), '2');

  // Restored as if the snapshot predated the switch, it would chain with SHA-256 and disagree.
  const c = new KvStateMachine();
  c.restore(a.serialize(), 4, 0);
  const d = new KvStateMachine();
  d.restore(a.serialize(), 4, 1);
  c.applyCommand(5, before);
  d.applyCommand(5, before);
  assert.notEqual(c.digestHex, d.digestHex);
});

test('the 64-bit chain depends on the previous digest, the index and every byte', () => {
  const seen = new Set<string>();
  const base = Buffer.from(encodeKvCommand({ op: 'set', key: 'key', value: 'value' }, 1));
  const sm = () => {
    const m = new KvStateMachine();
    m.enableCodeVersion(1, 1);
    return m;
  };
  for (let i = 0; i < base.length; i++) {
    for (const bit of [1, 0x80]) {
      const flipped = Buffer.from(base);
      flipped[i]! ^= bit;
      const m = sm();
      m.applyCommand(2, flipped);
      seen.add(m.digestHex);
    }
  }
  for (const index of [2, 3, 2 ** 32 + 2]) {
    const m = sm();
    m.applyCommand(index, base);
    seen.add(m.digestHex);
  }
  const twice = sm();
  twice.applyCommand(2, base);
  twice.applyCommand(3, base);
  seen.add(twice.digestHex);
  assert.equal(seen.size, base.length * 2 + 3 + 1);
});
