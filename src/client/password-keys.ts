// Keys derived from the cluster password, started as soon as the password is known: PBKDF2 is
// the slowest step of a short command, so it runs in the thread pool while everything else loads.

import { derivePysyncobjKey } from '../wire/pysyncobj/key.js';

export class PasswordKeys {
  readonly pysyncobj: Promise<Uint8Array | null>;
  #native: Promise<Uint8Array> | null = null;

  constructor(readonly password: string | null) {
    this.pysyncobj = password === null ? Promise.resolve(null) : derivePysyncobjKey(password);
    // The exchange awaits it; this only keeps an early failure from being reported as unhandled.
    this.pysyncobj.catch(() => undefined);
  }

  /** Derived on first use: only commands that speak the native wire pay for it. */
  get native(): Promise<Uint8Array> {
    this.#native ??= import('../wire/native/password-key.js').then((m) => m.deriveNativeKey(this.password));
    return this.#native;
  }
}
