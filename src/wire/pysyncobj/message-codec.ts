// One frame body <-> one Python value: pickle, then zlib level 3, then Fernet when there is a key.

import { deflateSync, inflateSync } from 'node:zlib';
import { ProtocolError } from '../../errors.js';
import { FernetCodec } from './fernet.js';
import { encodeFrame } from './frame.js';
import { readPickle } from './pickle-reader.js';
import { writePickle } from './pickle-writer.js';
import type { PyValue } from './py-values.js';

/** A zlib bomb must not cost more memory than this. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export class MessageCodec {
  readonly #fernet: FernetCodec | null;

  constructor(key: Uint8Array | null) {
    this.#fernet = key ? new FernetCodec(key) : null;
  }

  get encrypted(): boolean {
    return this.#fernet !== null;
  }

  encodeBody(value: PyValue): Buffer {
    const compressed = deflateSync(writePickle(value), { level: 3 });
    return this.#fernet ? this.#fernet.encrypt(compressed) : compressed;
  }

  encodeFrame(value: PyValue): Buffer {
    return encodeFrame(this.encodeBody(value));
  }

  decodeBody(body: Uint8Array): PyValue {
    const compressed = this.#fernet ? this.#fernet.decrypt(body) : body;
    let pickled: Buffer;
    try {
      pickled = inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (err) {
      throw new ProtocolError(`frame body is not zlib data (${(err as Error).message})`);
    }
    return readPickle(pickled);
  }
}
