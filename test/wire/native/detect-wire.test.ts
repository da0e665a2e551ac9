// detectWire tells native clients from PySyncObj ones by their first bytes, and asks for more when it cannot yet.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectWire } from '../../../src/wire/native/index.js';

const bytes = (...parts: (number[] | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

test('the native hello is recognized from its 4 magic bytes', () => {
  assert.equal(detectWire(bytes('SOBJ')), 'native');
  assert.equal(detectWire(bytes('SOBJ', [1, 0])), 'native');
});

test('PySyncObj zlib and Fernet first messages are recognized', () => {
  assert.equal(detectWire(bytes([10, 0, 0, 0, 0x78, 0x9c])), 'pysyncobj');
  assert.equal(detectWire(bytes([120, 0, 0, 0], 'gAAAAABl')), 'pysyncobj');
});

test('the native magic read as a PySyncObj length is over a gigabyte', () => {
  const magic = bytes('SOBJ');
  const asLength = new DataView(magic.buffer).getInt32(0, true);
  assert.ok(asLength > 1_000_000_000, `got ${asLength}`);
});

test('prefixes that could still become either wire ask for more bytes', () => {
  assert.equal(detectWire(bytes('')), 'need-more');
  assert.equal(detectWire(bytes('SOB')), 'need-more');
  assert.equal(detectWire(bytes([5, 0, 0])), 'need-more');
  assert.equal(detectWire(bytes([5, 0, 0, 0])), 'need-more');
  assert.equal(detectWire(bytes([120, 0, 0, 0], 'gAA')), 'need-more');
});

test('garbage is unknown as soon as it cannot match', () => {
  assert.equal(detectWire(bytes('GET / HTTP/1.1\r\n')), 'unknown');
  assert.equal(detectWire(bytes([0, 0, 0, 0, 0x78])), 'unknown', 'zero length');
  assert.equal(detectWire(bytes([0xff, 0xff, 0xff, 0xff, 0x78])), 'unknown', 'negative length');
  assert.equal(detectWire(bytes([10, 0, 0, 0, 0x00])), 'unknown');
  assert.equal(detectWire(bytes([120, 0, 0, 0], 'gAB')), 'unknown');
  assert.equal(detectWire(bytes('SOBX', [0])), 'unknown');
});
