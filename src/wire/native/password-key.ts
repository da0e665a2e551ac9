// Derives the native wire's password key from the cluster password, once per process per password.

import { pbkdf2 } from 'node:crypto';

/** Fixed protocol salt: the key depends on the password only, so every member derives the same one. */
const PASSWORD_KEY_SALT = 'syncobj-native/v1 password key';
export const PASSWORD_KEY_ITERATIONS = 100_000;
export const PASSWORD_KEY_BYTES = 32;

const cache = new Map<string, Promise<Uint8Array>>();

/**
 * PBKDF2-HMAC-SHA256 of the password (100,000 iterations, about 50 ms in the thread pool: start it
 * early so it overlaps start-up). No password and the empty password give the same key, the one
 * a passwordless node uses. The promise is cached, so later connections cost nothing.
 */
export function deriveNativeKey(password: string | null): Promise<Uint8Array> {
  const normalized = password ?? '';
  let pending = cache.get(normalized);
  if (pending === undefined) {
    pending = new Promise<Uint8Array>((resolve, reject) => {
      pbkdf2(normalized, PASSWORD_KEY_SALT, PASSWORD_KEY_ITERATIONS, PASSWORD_KEY_BYTES, 'sha256', (err, key) => {
        if (err) reject(err);
        else resolve(new Uint8Array(key));
      });
    });
    cache.set(normalized, pending);
    pending.catch(() => cache.delete(normalized));
  }
  return pending;
}

/** deriveNativeKey(null), precomputed: lets a handshake tell "no password" from a key without deriving again. */
const EMPTY_PASSWORD_KEY_HEX = '7b5415b372ff5c4209b689aa98e0b507032cf27e29532b84f7eefe75ae3b2843';

export function isEmptyPasswordKey(key: Uint8Array): boolean {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex') === EMPTY_PASSWORD_KEY_HEX;
}
