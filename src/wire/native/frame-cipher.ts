// Seals and opens frame bodies with secretbox under a per-direction key and an implicit counter nonce.

import { ProtocolError } from '../../errors.js';
import type { Nacl } from './lazy-deps.js';

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
  constructor(
    protected readonly nacl: Nacl,
    protected readonly key: Uint8Array,
  ) {}

  protected nextNonce(): Uint8Array {
    if (this.counter >= Number.MAX_SAFE_INTEGER) {
      throw new ProtocolError('native session exhausted its nonce counter; reconnect');
    }
    writeCounterNonce(this.nonce, this.counter++);
    return this.nonce;
  }
}

export class FrameSealer extends CounterCipher {
  seal(plaintext: Uint8Array): Uint8Array {
    return this.nacl.secretbox(plaintext, this.nextNonce(), this.key);
  }
}

export class FrameOpener extends CounterCipher {
  open(sealed: Uint8Array): Uint8Array {
    const plain = this.nacl.secretbox.open(sealed, this.nextNonce(), this.key);
    if (plain === null) {
      throw new ProtocolError(
        `native frame ${this.counter - 1} fails authentication: it was altered, replayed, reordered or dropped; the connection is closed`,
      );
    }
    return plain;
  }
}
