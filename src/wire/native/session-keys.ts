// The handshake's key schedule: transcript hash, HKDF of the X25519 secret salted with the password key, and the two proofs.

import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const SESSION_INFO = 'syncobj-native/v1 session keys';
const SERVER_PROOF_LABEL = 'syncobj-native/v1 server proof';
const CLIENT_PROOF_LABEL = 'syncobj-native/v1 client proof';

export interface SessionKeys {
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
  serverProofKey: Uint8Array;
  clientProofKey: Uint8Array;
  /** SHA-256(client hello || server hello without its proof). */
  transcript: Uint8Array;
}

/**
 * Both sides' ephemeral keys and flags enter through the transcript, the password through the
 * HKDF salt: a peer with another password, or a replayed hello answered with fresh keys, ends up
 * with unrelated keys and a proof that does not verify.
 */
export function deriveSessionKeys(
  sharedSecret: Uint8Array,
  passwordKey: Uint8Array,
  clientHello: Uint8Array,
  serverHelloPrefix: Uint8Array,
): SessionKeys {
  const transcript = createHash('sha256').update(clientHello).update(serverHelloPrefix).digest();
  const info = Buffer.concat([Buffer.from(SESSION_INFO), transcript]);
  const okm = new Uint8Array(hkdfSync('sha256', sharedSecret, passwordKey, info, 128));
  return {
    clientToServer: okm.slice(0, 32),
    serverToClient: okm.slice(32, 64),
    serverProofKey: okm.slice(64, 96),
    clientProofKey: okm.slice(96, 128),
    transcript: new Uint8Array(transcript),
  };
}

export function computeServerProof(keys: SessionKeys): Uint8Array {
  return new Uint8Array(createHmac('sha256', keys.serverProofKey).update(SERVER_PROOF_LABEL).update(keys.transcript).digest());
}

export function computeClientProof(keys: SessionKeys, serverProof: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHmac('sha256', keys.clientProofKey).update(CLIENT_PROOF_LABEL).update(keys.transcript).update(serverProof).digest(),
  );
}

export function proofsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
