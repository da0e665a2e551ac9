// An established native session, independent of any socket: message objects in, sealed frames out, and back.

import { ProtocolError } from '../../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, SEAL_OVERHEAD_BYTES } from './constants.js';
import { FrameOpener, FrameSealer } from './frame-cipher.js';
import { FrameDecoder } from './frame-decoder.js';
import type { Nacl } from './lazy-deps.js';
import type { MessageCodec } from './message-codec.js';

export class NativeSession {
  readonly #sealer: FrameSealer;
  readonly #opener: FrameOpener;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameBytes: number;
  /** Both ends read batches: then every frame, either way, is a msgpack array of messages. */
  readonly #batched: boolean;

  constructor(
    nacl: Nacl,
    readonly codec: MessageCodec,
    keys: { sendKey: Uint8Array; receiveKey: Uint8Array; maxFrameBytes?: number; batched?: boolean },
  ) {
    this.#sealer = new FrameSealer(nacl, keys.sendKey);
    this.#opener = new FrameOpener(nacl, keys.receiveKey);
    this.#maxFrameBytes = keys.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#decoder = new FrameDecoder({ maxFrameBytes: this.#maxFrameBytes });
    this.#batched = keys.batched ?? false;
  }

  /** One message as a msgpack body, refused at once when it could never fit a frame. */
  encodeBody(message: unknown): Uint8Array {
    return this.checkBody(this.codec.encode(message));
  }

  /** A body encoded elsewhere (one msgpack value), refused at once when it could never fit a frame. */
  checkBody(body: Uint8Array): Uint8Array {
    // Checked here, before sealing uses up a nonce: the peer would drop the whole connection over it.
    if (body.length + BATCH_HEADER_MAX_BYTES + SEAL_OVERHEAD_BYTES > this.#maxFrameBytes) {
      throw new ProtocolError(
        `a native-wire message of ${body.length} bytes is above the frame limit of ${this.#maxFrameBytes}; send it in parts`,
      );
    }
    return body;
  }

  /**
   * The frames that carry these bodies, in order. When both ends read batches, bodies queued
   * together share a frame (one seal, one write), as many as fit under the frame limit; a frame is
   * then always an array, even of one message, so no message can be mistaken for a batch.
   */
  seal(bodies: readonly Uint8Array[]): Uint8Array[] {
    if (!this.#batched) return bodies.map((b) => this.#sealer.sealFrame(undefined, [b], b.length));
    const frames: Uint8Array[] = [];
    const room = this.#maxFrameBytes - SEAL_OVERHEAD_BYTES - BATCH_HEADER_MAX_BYTES;
    let group: Uint8Array[] = [];
    let size = 0;
    const close = () => {
      if (group.length === 0) return;
      frames.push(this.#sealer.sealFrame(batchHeader(group.length), group, size));
      group = [];
      size = 0;
    };
    for (const body of bodies) {
      if (size + body.length > room) close();
      group.push(body);
      size += body.length;
    }
    close();
    return frames;
  }

  /** The bytes to write for one message: length prefix and sealed msgpack body. */
  encode(message: unknown): Uint8Array {
    return this.seal([this.encodeBody(message)])[0]!;
  }

  /** Feeds received bytes; returns the messages they complete, a batch's in order. Throws ProtocolError on anything bad. */
  decode(chunk: Uint8Array): unknown[] {
    const messages: unknown[] = [];
    for (const sealed of this.#decoder.push(chunk)) {
      const value = this.codec.decode(this.#opener.open(sealed));
      if (!this.#batched) {
        messages.push(value);
        continue;
      }
      if (!Array.isArray(value) || value.length === 0) throw new ProtocolError('a native-wire frame is not a batch of messages, which this session agreed on');
      for (const message of value) messages.push(message);
    }
    return messages;
  }
}

/** msgpack's largest array header: 0xdd and a uint32 count. */
const BATCH_HEADER_MAX_BYTES = 5;

/** The msgpack array header for `n` already-encoded messages, which follow it as they are. */
function batchHeader(n: number): Uint8Array {
  return n < 16 ? Uint8Array.of(0x90 | n) : n < 0x10000 ? Uint8Array.of(0xdc, n >>> 8, n & 0xff) : Uint8Array.of(0xdd, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
