// PySyncObj's framing: a signed int32 little-endian length, then the body. The real node never
// bounds the length; we do, before buffering anything.

import { ProtocolError } from '../../errors.js';

/** Admin replies are a few KiB even for large clusters; peers' append batches stay far below this. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export function encodeFrame(body: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32LE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Incremental: push() bytes as they arrive, get back every complete body; keeps the remainder. */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Uint8Array): Buffer[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : Buffer.from(chunk);
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.#buffer.length < 4) return bodies;
      const length = this.#buffer.readInt32LE(0);
      if (length < 0 || length > this.maxFrameBytes) {
        throw new ProtocolError(`frame declares ${length} bytes; the limit is ${this.maxFrameBytes}`);
      }
      if (this.#buffer.length < 4 + length) return bodies;
      bodies.push(this.#buffer.subarray(4, 4 + length));
      this.#buffer = this.#buffer.subarray(4 + length);
    }
  }

  /** Bytes received but not yet a whole frame. */
  get pending(): number {
    return this.#buffer.length;
  }
}
