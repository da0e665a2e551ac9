// An established native session, independent of any socket: message objects in, sealed frames out, and back.

import { ProtocolError } from '../../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, SEAL_OVERHEAD_BYTES } from './constants.js';
import { FrameOpener, FrameSealer } from './frame-cipher.js';
import { FrameDecoder, encodeFrame } from './frame-decoder.js';
import type { Nacl } from './lazy-deps.js';
import type { MessageCodec } from './message-codec.js';

export class NativeSession {
  readonly #sealer: FrameSealer;
  readonly #opener: FrameOpener;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameBytes: number;

  constructor(
    nacl: Nacl,
    readonly codec: MessageCodec,
    keys: { sendKey: Uint8Array; receiveKey: Uint8Array; maxFrameBytes?: number },
  ) {
    this.#sealer = new FrameSealer(nacl, keys.sendKey);
    this.#opener = new FrameOpener(nacl, keys.receiveKey);
    this.#maxFrameBytes = keys.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#decoder = new FrameDecoder({ maxFrameBytes: this.#maxFrameBytes });
  }

  /** The bytes to write for one message: length prefix and sealed msgpack body. */
  encode(message: unknown): Uint8Array {
    const body = this.codec.encode(message);
    // Checked here, before sealing uses up a nonce: the peer would drop the whole connection over it.
    if (body.length + SEAL_OVERHEAD_BYTES > this.#maxFrameBytes) {
      throw new ProtocolError(
        `a native-wire message of ${body.length} bytes is above the frame limit of ${this.#maxFrameBytes}; send it in parts`,
      );
    }
    return encodeFrame(this.#sealer.seal(body));
  }

  /** Feeds received bytes; returns the messages they complete. Throws ProtocolError on anything bad. */
  decode(chunk: Uint8Array): unknown[] {
    const messages: unknown[] = [];
    for (const sealed of this.#decoder.push(chunk)) {
      messages.push(this.codec.decode(this.#opener.open(sealed)));
    }
    return messages;
  }
}
