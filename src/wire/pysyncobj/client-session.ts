// The client side of one PySyncObj admin exchange, as a pure state machine over frame bodies:
// with a password, send a random key, check the node's echo, then send the wrapped request.

import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import type { MessageCodec } from './message-codec.js';
import { PyTuple, type PyValue } from './py-values.js';

export type ClientPhase = 'handshake' | 'reply' | 'done';

export type ClientStep = { send: Buffer } | { reply: PyValue };

export class PysyncobjClientSession {
  #phase: ClientPhase;
  readonly #clientKey: Buffer;

  constructor(
    readonly codec: MessageCodec,
    readonly request: PyValue,
    clientKey: Uint8Array = randomBytes(32),
  ) {
    this.#clientKey = Buffer.from(clientKey);
    this.#phase = codec.encrypted ? 'handshake' : 'reply';
  }

  get phase(): ClientPhase {
    return this.#phase;
  }

  /** The first frame to send. */
  start(): Buffer {
    return this.codec.encodeFrame(this.#phase === 'handshake' ? this.#clientKey : this.request);
  }

  /** Feeds one received frame body; says what to send next, or gives the reply. */
  receive(body: Uint8Array): ClientStep {
    const message = this.codec.decodeBody(body);
    if (this.#phase === 'handshake') {
      const serverKey = this.#unwrap(message, 'handshake');
      if (!(serverKey instanceof Uint8Array)) throw new ProtocolError('handshake reply carries no server key');
      this.#phase = 'reply';
      return { send: this.codec.encodeFrame(new PyTuple([serverKey, this.request])) };
    }
    if (this.#phase !== 'reply') throw new ProtocolError('a frame arrived after the reply');
    this.#phase = 'done';
    return { reply: this.codec.encrypted ? this.#unwrap(message, 'reply') : message };
  }

  /** With a password every node message is (clientKey, payload); a different key is not our session. */
  #unwrap(message: PyValue, what: string): PyValue {
    if (!(message instanceof PyTuple) || message.items.length !== 2) throw new ProtocolError(`${what} is not a (key, message) pair`);
    const [key, payload] = message.items;
    if (!(key instanceof Uint8Array) || !this.#clientKey.equals(key)) throw new ProtocolError(`${what} echoes another session's key`);
    return payload!;
  }
}
