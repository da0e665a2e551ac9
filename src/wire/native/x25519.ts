// Ephemeral X25519 key agreement on Node's crypto (OpenSSL): the same function as tweetnacl's
// scalarMult, so the wire is unchanged, at a fraction of pure JavaScript's cost per handshake.

import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ProtocolError } from '../../errors.js';

export const X25519_PUBLIC_KEY_BYTES = 32;

export class EphemeralKeyPair {
  private constructor(
    readonly publicKey: Uint8Array,
    readonly privateKey: KeyObject,
  ) {}

  static generate(): EphemeralKeyPair {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const x = publicKey.export({ format: 'jwk' }).x;
    if (x === undefined) throw new Error('X25519 key export gave no public value');
    return new EphemeralKeyPair(new Uint8Array(Buffer.from(x, 'base64url')), privateKey);
  }

  /**
   * The shared secret with the peer's raw public key. A low-order public key yields an all-zero
   * secret an attacker could predict: OpenSSL refuses to derive it, and we check it as well.
   */
  sharedSecret(peerPublic: Uint8Array, peer: string): Uint8Array {
    const invalid = () => new ProtocolError(`the handshake from ${peer} carries an invalid ephemeral public key`);
    if (peerPublic.length !== X25519_PUBLIC_KEY_BYTES) throw invalid();
    let shared: Buffer;
    try {
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peerPublic).toString('base64url') }, format: 'jwk' });
      shared = diffieHellman({ privateKey: this.privateKey, publicKey });
    } catch {
      throw invalid();
    }
    if (shared.every((b) => b === 0)) throw invalid();
    return new Uint8Array(shared);
  }
}
