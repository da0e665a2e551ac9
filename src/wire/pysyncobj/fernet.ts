// Fernet tokens (the spec at github.com/fernet/spec) on Node's crypto, as PySyncObj wraps each
// frame body when the cluster has a password.

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../../errors.js';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;

export class FernetCodec {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  /** `key` is the raw 32 bytes: the first half signs, the second half encrypts. */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError('a Fernet key is 32 bytes');
    this.#signingKey = Buffer.from(key.subarray(0, 16));
    this.#encryptionKey = Buffer.from(key.subarray(16));
  }

  /** Returns the token as ASCII bytes (url-safe base64 with padding), ready to frame. */
  encrypt(plain: Uint8Array, options: { iv?: Uint8Array; timestamp?: number } = {}): Buffer {
    const iv = options.iv ? Buffer.from(options.iv) : randomBytes(16);
    const header = Buffer.alloc(HEADER);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(Math.floor(options.timestamp ?? Date.now() / 1000)), 1);
    iv.copy(header, 9);
    const cipher = createCipheriv('aes-128-cbc', this.#encryptionKey, iv);
    const body = Buffer.concat([header, cipher.update(plain), cipher.final()]);
    const mac = createHmac('sha256', this.#signingKey).update(body).digest();
    return Buffer.from(Buffer.concat([body, mac]).toString('base64url') + '='.repeat((3 - ((body.length + MAC) % 3)) % 3), 'ascii');
  }

  /** Verifies the MAC in constant time before touching the ciphertext. */
  decrypt(token: Uint8Array): Buffer {
    const raw = decodeBase64Url(token);
    if (raw.length < HEADER + 16 + MAC || (raw.length - HEADER - MAC) % 16 !== 0 || raw[0] !== VERSION) {
      throw new ProtocolError('not a Fernet token');
    }
    const body = raw.subarray(0, raw.length - MAC);
    const expected = createHmac('sha256', this.#signingKey).update(body).digest();
    if (!timingSafeEqual(expected, raw.subarray(raw.length - MAC))) {
      throw new ProtocolError('Fernet token MAC does not verify: the peer uses another password');
    }
    const decipher = createDecipheriv('aes-128-cbc', this.#encryptionKey, body.subarray(9, HEADER));
    try {
      return Buffer.concat([decipher.update(body.subarray(HEADER)), decipher.final()]);
    } catch {
      throw new ProtocolError('Fernet token has bad padding');
    }
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeBase64Url(token: Uint8Array): Buffer {
  const text = Buffer.from(token).toString('latin1');
  if (!BASE64URL.test(text) || text.length % 4 !== 0) throw new ProtocolError('Fernet token is not url-safe base64');
  return Buffer.from(text, 'base64url');
}
