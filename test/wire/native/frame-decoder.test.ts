// FrameDecoder: frames split anywhere reassemble identically; bad headers fail before buffering.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/errors.js';
import { FrameDecoder, encodeFrame } from '../../../src/wire/native/index.js';
import { concat } from './helpers.js';

const bodies = [new Uint8Array(16).fill(1), Uint8Array.from({ length: 40 }, (_, i) => i), new Uint8Array(300).fill(7)];
const stream = concat(bodies.map(encodeFrame));

test('a stream split at every offset yields the same frames, and keeps the remainder', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new FrameDecoder();
    const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(frames, bodies, `cut at ${cut}`);
    assert.equal(decoder.bufferedBytes, 0);
  }
});

test('every pair of cuts, and byte-by-byte delivery, also reassemble', () => {
  const first = concat(bodies.slice(0, 2).map(encodeFrame));
  for (let a = 0; a <= first.length; a++) {
    for (let b = a; b <= first.length; b++) {
      const decoder = new FrameDecoder();
      const frames = [first.subarray(0, a), first.subarray(a, b), first.subarray(b)].flatMap((c) => decoder.push(c));
      assert.deepEqual(frames, bodies.slice(0, 2), `cuts at ${a}, ${b}`);
    }
  }
  const decoder = new FrameDecoder();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i++) {
    frames.push(...decoder.push(stream.subarray(i, i + 1)));
    if (i < stream.length - 1) assert.ok(decoder.bufferedBytes > 0 || frames.length > 0);
  }
  assert.deepEqual(frames, bodies);
});

test('an incomplete frame is held, not returned', () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(stream.subarray(0, 10)), []);
  assert.equal(decoder.bufferedBytes, 10);
});

test('a declared length above the maximum is refused from the header alone', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
  const header = Uint8Array.of(0, 0, 0x04, 0x01); // 1025
  assert.throws(() => decoder.push(header), (err) => err instanceof ProtocolError && /1025 bytes, above the limit of 1024/.test(err.message));
  assert.equal(decoder.bufferedBytes, 0, 'nothing of the body was buffered');
  assert.throws(() => decoder.push(new Uint8Array(1)), ProtocolError, 'stays failed');
  assert.throws(() => new FrameDecoder().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), ProtocolError);
});

test('a frame at exactly the maximum is accepted', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 64 });
  assert.equal(decoder.push(encodeFrame(new Uint8Array(64))).length, 1);
});

test('a declared length too short for a tag is refused', () => {
  assert.throws(() => new FrameDecoder().push(Uint8Array.of(0, 0, 0, 15)), /too short/);
  assert.throws(() => new FrameDecoder().push(Uint8Array.of(0, 0, 0, 0)), ProtocolError);
});
