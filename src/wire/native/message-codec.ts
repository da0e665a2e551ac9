// Turns message objects into msgpack bodies and back, with msgpackr's failures reported as ProtocolError.

import type { Packr } from 'msgpackr/pack';
import { ProtocolError } from '../../errors.js';
import { loadPackr } from './lazy-deps.js';

export class MessageCodec {
  private constructor(readonly packr: Packr) {}

  static async create(): Promise<MessageCodec> {
    return new MessageCodec(await loadPackr());
  }

  encode(message: unknown): Uint8Array {
    try {
      return this.packr.pack(message);
    } catch (err) {
      throw new ProtocolError(`cannot encode a native-wire message: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Exactly one msgpack value; trailing bytes are an error, not a second message. */
  decode(body: Uint8Array): unknown {
    try {
      return this.packr.unpack(body);
    } catch (err) {
      throw new ProtocolError(
        `a native-wire message body does not decode as msgpack (${(err as Error).message}); the peer is not speaking this protocol version`,
        { cause: err },
      );
    }
  }
}
