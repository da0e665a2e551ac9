// Loads tweetnacl and msgpackr on first use, so code paths that never open a native connection do not pay for them.

import type naclType from 'tweetnacl';
import type { Packr } from 'msgpackr/pack';

export type Nacl = typeof naclType;

let naclPromise: Promise<Nacl> | undefined;
let packrPromise: Promise<Packr> | undefined;

export function loadNacl(): Promise<Nacl> {
  naclPromise ??= import('tweetnacl').then((m) => (m.default ?? m) as Nacl);
  return naclPromise;
}

/**
 * One msgpackr instance with pinned options: plain maps in and out (no record extension), so
 * any msgpack peer can read our bodies; integers stay numbers (int64 decodes to number), and
 * Uint8Array travels as msgpack bin and comes back as a Uint8Array (a Buffer).
 */
export function loadPackr(): Promise<Packr> {
  packrPromise ??= import('msgpackr/pack').then(
    (m) => new m.Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number', moreTypes: false }),
  );
  return packrPromise;
}

/**
 * Starts loading tweetnacl and msgpackr now, so their evaluation overlaps the password
 * derivation (which runs in the thread pool) and the TCP connect instead of following them.
 */
export function preloadNativeWire(): Promise<void> {
  return Promise.all([loadNacl(), loadPackr()]).then(() => undefined);
}
