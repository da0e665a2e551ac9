// The two ways the applied digest chains one entry onto the last: SHA-256 (code version 0) and a
// 64-bit hash computed in JavaScript (code version 1 and later).

import { hash } from 'node:crypto';

/**
 * digest_i = sha256(digest_{i-1} ‖ index as 8 bytes big-endian ‖ command bytes). One native call per
 * entry; at tens of thousands of writes a second it was the largest single cost of applying one.
 */
export class Sha256Chain {
  /** digest ‖ index ‖ command, laid out once per entry and hashed in one call: no hash object per entry. */
  #input = Buffer.alloc(4096);

  step(previous: Uint8Array, index: number, data: Uint8Array): Buffer {
    const length = 40 + data.length;
    if (this.#input.length < length) this.#input = Buffer.alloc(Math.max(length, this.#input.length * 2));
    const input = this.#input;
    input.set(previous.subarray(0, 32), 0);
    input.writeUInt32BE(Math.floor(index / 0x1_0000_0000), 32);
    input.writeUInt32BE(index >>> 0, 36);
    input.set(data, 40);
    return hash('sha256', input.subarray(0, length), 'buffer');
  }
}

/**
 * Two MurmurHash3 lanes seeded with the previous digest's two halves, fed the index, the length and
 * the command bytes, then mixed into each other: 8 bytes. The digest exists to show that members
 * at the same index applied the same commands, against bugs and lost writes, not against a forger
 * (the entries were authenticated on the wire already), so 64 bits without a cryptographic hash
 * are enough, and computing them costs a small fraction of a native SHA-256 call.
 */
export function chain64(previous: Uint8Array, index: number, data: Uint8Array): Buffer {
  let h1 = read32(previous, 0);
  let h2 = read32(previous, 4);
  const high = Math.floor(index / 0x1_0000_0000);
  h1 = round(h1, index | 0);
  h2 = round2(h2, index | 0);
  h1 = round(h1, high);
  h2 = round2(h2, high);
  const n = data.length;
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    const k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h1 = round(h1, k);
    h2 = round2(h2, k);
  }
  let tail = 0;
  for (let i = n - 1; i >= whole; i--) tail = (tail << 8) | data[i]!;
  h1 = round(h1, tail ^ n);
  h2 = round2(h2, tail ^ n);
  h1 = finish(h1 ^ n);
  h2 = finish(h2 ^ n);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  const out = Buffer.allocUnsafe(8);
  out.writeInt32BE(h1, 0);
  out.writeInt32BE(h2, 4);
  return out;
}

function read32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) | 0;
}

function round(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The second lane: other constants and rotations, so the two halves do not move together. */
function round2(h: number, k: number): number {
  k = Math.imul(k ^ 0x9e3779b9, 0x85ebca6b);
  k = (k << 17) | (k >>> 15);
  h ^= Math.imul(k, 0xc2b2ae35);
  h = (h << 11) | (h >>> 21);
  return (Math.imul(h, 9) + 0x7f4a7c15) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
