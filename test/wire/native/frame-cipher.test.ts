// The frame cipher lays frames out around NaCl's padding itself instead of calling
// nacl.secretbox: its bytes must be exactly what nacl.secretbox and the frame header give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nacl from 'tweetnacl';
import { FrameOpener, FrameSealer } from '../../../src/wire/native/frame-cipher.js';
import { encodeFrame } from '../../../src/wire/native/index.js';
import { concat } from './helpers.js';

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const nonce = (counter: number): Uint8Array => {
  const n = new Uint8Array(24);
  new DataView(n.buffer).setUint32(20, counter);
  return n;
};
const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

test('sealed frames are nacl.secretbox under the counter nonce, behind the length, whatever the split', () => {
  const sealer = new FrameSealer(nacl, key);
  let counter = 0;
  for (const sizes of [[0], [1], [15, 1], [100, 0, 3], [70_000]]) {
    const parts = sizes.map((n, i) => bytes(n, i));
    const head = sizes.length > 1 ? Uint8Array.of(0x90 | sizes.length) : undefined;
    const plaintext = concat([...(head ? [head] : []), ...parts]);
    const frame = sealer.sealFrame(head, parts, sizes.reduce((a, b) => a + b, 0));
    assert.deepEqual(frame, encodeFrame(nacl.secretbox(plaintext, nonce(counter++), key)), `parts of ${sizes.join(', ')} bytes`);
  }
  assert.deepEqual(sealer.sealFrame(undefined, [bytes(33, 9)], 33).subarray(4), nacl.secretbox(bytes(33, 9), nonce(counter++), key));
});

test('the opener opens what nacl.secretbox sealed, in order, and refuses an altered, replayed or short box', () => {
  const opener = new FrameOpener(nacl, key);
  for (let i = 0; i < 3; i++) assert.deepEqual(opener.open(nacl.secretbox(bytes(50 * i, i), nonce(i), key)), bytes(50 * i, i));
  const next = nacl.secretbox(bytes(20, 5), nonce(3), key);
  const altered = Uint8Array.from(next);
  altered[altered.length - 1]! ^= 1;
  assert.throws(() => opener.open(altered), /native frame 3 fails authentication/);
  assert.throws(() => new FrameOpener(nacl, key).open(nacl.secretbox(bytes(20, 5), nonce(1), key)), /frame 0 fails authentication/, 'a frame under another counter');
  assert.throws(() => new FrameOpener(nacl, key).open(new Uint8Array(15)), /fails authentication/);
});
