// The node side of PySyncObj's admin exchange, as a pure state machine over frame bodies: the
// mirror of PysyncobjClientSession, so our node answers /usr/bin/syncobj_admin unchanged.

import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../errors.js';
import type { MessageCodec } from './message-codec.js';
import { PyTuple, type PyValue } from './py-values.js';

export type ServerStep = { send: Buffer } | { request: PyValue };

export class PysyncobjServerSession {
  #clientKey: Buffer | null = null;
  readonly #serverKey: Buffer;

  constructor(
    readonly codec: MessageCodec,
    serverKey: Uint8Array = randomBytes(32),
  ) {
    this.#serverKey = Buffer.from(serverKey);
  }

  /** Feeds one received body; any decode failure throws, and the caller closes as PySyncObj does. */
  receive(body: Uint8Array): ServerStep {
    const message = this.codec.decodeBody(body);
    if (!this.codec.encrypted) return { request: message };
    if (this.#clientKey === null) {
      if (!(message instanceof Uint8Array) || message.length === 0) throw new ProtocolError('handshake did not start with a key');
      this.#clientKey = Buffer.from(message);
      return { send: this.codec.encodeFrame(new PyTuple([this.#clientKey, this.#serverKey])) };
    }
    if (!(message instanceof PyTuple) || message.items.length !== 2) throw new ProtocolError('request is not a (key, message) pair');
    const [key, request] = message.items;
    if (!(key instanceof Uint8Array) || !this.#serverKey.equals(key)) throw new ProtocolError("request does not echo this session's key");
    return { request: request! };
  }

  encodeReply(reply: PyValue): Buffer {
    return this.codec.encodeFrame(this.#clientKey ? new PyTuple([this.#clientKey, reply]) : reply);
  }
}
