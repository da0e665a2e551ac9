// Tells a native-wire client from a PySyncObj client by the first bytes it sends, so one port serves both.

import { NATIVE_MAGIC } from './constants.js';

export type DetectedWire = 'native' | 'pysyncobj' | 'unknown' | 'need-more';

/** What a PySyncObj encrypted message starts with: a Fernet token (version 0x80, base64) in ASCII. */
const FERNET_PREFIX = Uint8Array.from('gAAAAA', (c) => c.charCodeAt(0));
const ZLIB_FIRST_BYTE = 0x78;

/**
 * Classifies a connection from the bytes received so far. PySyncObj sends an int32-LE length,
 * then zlib data (0x78) or a Fernet token ('gAAAAA'); the native client sends "SOBJ", whose
 * int32-LE reading is 1.2 GB, a length PySyncObj never sends, so the two cannot be confused.
 */
export function detectWire(firstBytes: Uint8Array): DetectedWire {
  if (firstBytes.length < NATIVE_MAGIC.length) return 'need-more';
  if (startsWith(firstBytes, NATIVE_MAGIC, 0)) return 'native';
  const declared =
    (firstBytes[0]! | (firstBytes[1]! << 8) | (firstBytes[2]! << 16) | (firstBytes[3]! << 24)) | 0;
  if (declared <= 0) return 'unknown';
  if (firstBytes.length < 5) return 'need-more';
  if (firstBytes[4] === ZLIB_FIRST_BYTE) return 'pysyncobj';
  const available = Math.min(firstBytes.length - 4, FERNET_PREFIX.length);
  for (let i = 0; i < available; i++) {
    if (firstBytes[4 + i] !== FERNET_PREFIX[i]) return 'unknown';
  }
  return available === FERNET_PREFIX.length ? 'pysyncobj' : 'need-more';
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
