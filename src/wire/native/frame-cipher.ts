// Seals and opens frame bodies with secretbox under a per-direction key and an implicit counter nonce.

import { ProtocolError } from '../../errors.js';
import { FRAME_HEADER_BYTES } from './constants.js';
import type { Nacl } from './lazy-deps.js';

/**
 * tweetnacl's own secretbox primitives. Its `secretbox` and `secretbox.open` wrap them with a
 * byte-by-byte JavaScript copy into a zero-padded buffer; at tens of megabytes a second that copy
 * cost as much as the cipher, so the frames are laid out around the padding here instead. Same
 * primitives, same bytes on the wire.
 */
interface SecretboxPrimitives {
  /** c[0..d) = 16 zero bytes ‖ MAC ‖ ciphertext of m[32..d); m[0..32) must be zero. */
  crypto_secretbox(c: Uint8Array, m: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
  /** m[0..d) = 32 zero bytes ‖ plaintext, or -1 when the MAC fails; c[0..16) must be zero. */
  crypto_secretbox_open(m: Uint8Array, c: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
}

/** Zero bytes in front of a plaintext (ZEROBYTES) and of a box (BOXZEROBYTES), as NaCl lays them out. */
const ZERO_BYTES = 32;
const BOX_ZERO_BYTES = 16;

function primitives(nacl: Nacl): SecretboxPrimitives {
  return (nacl as unknown as { lowlevel: SecretboxPrimitives }).lowlevel;
}

/**
 * Nonce = 16 zero bytes, then the frame's sequence number as uint64 big-endian. The number is
 * never sent: both ends count, so a dropped, repeated or reordered frame is opened with the wrong
 * nonce and fails its MAC. Each direction has its own key, so the two counters never share a nonce.
 */
function writeCounterNonce(nonce: Uint8Array, counter: number): void {
  const high = Math.floor(counter / 0x1_0000_0000);
  const low = counter >>> 0;
  nonce[16] = high >>> 24;
  nonce[17] = (high >>> 16) & 0xff;
  nonce[18] = (high >>> 8) & 0xff;
  nonce[19] = high & 0xff;
  nonce[20] = low >>> 24;
  nonce[21] = (low >>> 16) & 0xff;
  nonce[22] = (low >>> 8) & 0xff;
  nonce[23] = low & 0xff;
}

abstract class CounterCipher {
  protected counter = 0;
  protected readonly nonce = new Uint8Array(24);
  protected readonly box: SecretboxPrimitives;
  constructor(
    nacl: Nacl,
    protected readonly key: Uint8Array,
  ) {
    this.box = primitives(nacl);
  }

  protected nextNonce(): Uint8Array {
    if (this.counter >= Number.MAX_SAFE_INTEGER) {
      throw new ProtocolError('native session exhausted its nonce counter; reconnect');
    }
    writeCounterNonce(this.nonce, this.counter++);
    return this.nonce;
  }
}

export class FrameSealer extends CounterCipher {
  /**
   * One whole frame: the sealed body's length as uint32 big-endian, then the body sealing
   * `head` (if any) and `parts` in order, `size` bytes of parts in all. The parts are copied once,
   * into the padded plaintext, and the box is written in place behind the length.
   */
  sealFrame(head: Uint8Array | undefined, parts: readonly Uint8Array[], size: number): Uint8Array {
    const plain = ZERO_BYTES + (head?.length ?? 0) + size;
    const m = new Uint8Array(plain);
    let at = ZERO_BYTES;
    if (head) {
      m.set(head, at);
      at += head.length;
    }
    for (const part of parts) {
      m.set(part, at);
      at += part.length;
    }
    // The box starts with 16 zero bytes; the frame starts 4 bytes before its MAC, and those 4
    // become the length.
    const box = new Uint8Array(plain);
    this.box.crypto_secretbox(box, m, plain, this.nextNonce(), this.key);
    const frame = box.subarray(BOX_ZERO_BYTES - FRAME_HEADER_BYTES);
    const n = plain - BOX_ZERO_BYTES;
    frame[0] = n >>> 24;
    frame[1] = (n >>> 16) & 0xff;
    frame[2] = (n >>> 8) & 0xff;
    frame[3] = n & 0xff;
    return frame;
  }
}

export class FrameOpener extends CounterCipher {
  open(sealed: Uint8Array): Uint8Array {
    const nonce = this.nextNonce();
    const c = new Uint8Array(BOX_ZERO_BYTES + sealed.length);
    c.set(sealed, BOX_ZERO_BYTES);
    const m = new Uint8Array(c.length);
    if (c.length < ZERO_BYTES || this.box.crypto_secretbox_open(m, c, c.length, nonce, this.key) !== 0) {
      throw new ProtocolError(
        `native frame ${this.counter - 1} fails authentication: it was altered, replayed, reordered or dropped; the connection is closed`,
      );
    }
    return m.subarray(ZERO_BYTES);
  }
}
