// Node's X25519 must be the very function tweetnacl computes, or old and new members could not talk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nacl from 'tweetnacl';
import { ProtocolError } from '../../../src/errors.js';
import { EphemeralKeyPair } from '../../../src/wire/native/x25519.js';

test('the shared secret equals tweetnacl scalarMult in both directions', () => {
  for (let i = 0; i < 20; i++) {
    const ours = EphemeralKeyPair.generate();
    const theirs = nacl.box.keyPair();
    assert.equal(ours.publicKey.length, 32);
    const fromOurs = ours.sharedSecret(theirs.publicKey, 'peer');
    const fromTheirs = nacl.scalarMult(theirs.secretKey, ours.publicKey);
    assert.deepEqual(Buffer.from(fromOurs), Buffer.from(fromTheirs));
  }
});

test('low-order and malformed public keys are refused as protocol errors naming the peer', () => {
  const pair = EphemeralKeyPair.generate();
  const lowOrder = [new Uint8Array(32), Uint8Array.from([1, ...new Array<number>(31).fill(0)])];
  for (const key of lowOrder) assert.throws(() => pair.sharedSecret(key, '10.0.0.9:1'), (e: unknown) => e instanceof ProtocolError && /10\.0\.0\.9:1.*invalid ephemeral public key/.test(e.message));
  assert.throws(() => pair.sharedSecret(new Uint8Array(31), 'p'), ProtocolError);
});
