// Splits a byte stream into length-prefixed frames, keeping the remainder between chunks.

import { ProtocolError } from '../../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, SEAL_OVERHEAD_BYTES } from './constants.js';

/**
 * Incremental decoder for `uint32-BE length | body`. A declared length above `maxFrameBytes` (or
 * too short to hold a secretbox tag) is refused as soon as its 4 header bytes arrive, before any
 * of the body is buffered. Chunks are kept as a list and joined only once a frame is complete, so
 * a frame split into many small reads costs one copy.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Body length of the frame being assembled, once its header is known. */
  #expected = -1;
  #failed = false;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes held that do not yet form a frame. */
  get bufferedBytes(): number {
    return this.#buffered + (this.#expected >= 0 ? FRAME_HEADER_BYTES : 0);
  }

  /** Returns the bodies of every frame completed by `chunk`; throws ProtocolError on a bad header. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw new ProtocolError('the native frame stream already failed; reconnect');
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.#expected < 0) {
        if (this.#buffered < FRAME_HEADER_BYTES) break;
        const header = this.#take(FRAME_HEADER_BYTES);
        const length = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
        if (length > this.#maxFrameBytes) {
          this.#fail();
          throw new ProtocolError(
            `a native frame declares ${length} bytes, above the limit of ${this.#maxFrameBytes}; the peer is not speaking this protocol or sends oversize messages`,
          );
        }
        if (length < SEAL_OVERHEAD_BYTES) {
          this.#fail();
          throw new ProtocolError(`a native frame declares ${length} bytes, too short for its authentication tag`);
        }
        this.#expected = length;
      }
      if (this.#buffered < this.#expected) break;
      frames.push(this.#take(this.#expected));
      this.#expected = -1;
    }
    return frames;
  }

  #fail(): void {
    this.#failed = true;
    this.#chunks = [];
    this.#buffered = 0;
  }

  /** Removes and returns the first `n` buffered bytes (n <= #buffered). */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[0]!;
      const want = Math.min(head.length, n - filled);
      out.set(head.subarray(0, want), filled);
      filled += want;
      if (want === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(want);
    }
    this.#buffered -= n;
    return out;
  }
}

/** Prefixes `body` with its uint32-BE length. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  const n = body.length;
  frame[0] = n >>> 24;
  frame[1] = (n >>> 16) & 0xff;
  frame[2] = (n >>> 8) & 0xff;
  frame[3] = n & 0xff;
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}
