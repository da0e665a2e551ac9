// PySyncObj's password-to-key derivation (pysyncobj/encryptor.py): PBKDF2-HMAC-SHA256, fixed salt.

import { pbkdf2 } from 'node:crypto';

export const PYSYNCOBJ_SALT = Buffer.from('152571e6bb02a6f8137190cf362b1eeb', 'hex');
const ITERATIONS = 100_000;

/** Runs in libuv's thread pool, so a caller can start it first and overlap it with module loading. */
export function derivePysyncobjKey(password: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), PYSYNCOBJ_SALT, ITERATIONS, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}
