// An established native session, independent of any socket: message objects in, sealed frames out, and back.

import { FrameOpener, FrameSealer } from './frame-cipher.js';
import { FrameDecoder, encodeFrame } from './frame-decoder.js';
import type { Nacl } from './lazy-deps.js';
import type { MessageCodec } from './message-codec.js';

export class NativeSession {
  readonly #sealer: FrameSealer;
  readonly #opener: FrameOpener;
  readonly #decoder: FrameDecoder;

  constructor(
    nacl: Nacl,
    readonly codec: MessageCodec,
    keys: { sendKey: Uint8Array; receiveKey: Uint8Array; maxFrameBytes?: number },
  ) {
    this.#sealer = new FrameSealer(nacl, keys.sendKey);
    this.#opener = new FrameOpener(nacl, keys.receiveKey);
    this.#decoder = new FrameDecoder({ maxFrameBytes: keys.maxFrameBytes });
  }

  /** The bytes to write for one message: length prefix and sealed msgpack body. */
  encode(message: unknown): Uint8Array {
    return encodeFrame(this.#sealer.seal(this.codec.encode(message)));
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
