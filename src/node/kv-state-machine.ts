// The replicated key-value map and its applied digest: a SHA-256 chain over every applied command.

import { createHash } from 'node:crypto';
import { decodeKvCommand } from './kv-command.js';

const ZERO_DIGEST = Buffer.alloc(32);

/**
 * digest_i = sha256(digest_{i-1} ‖ index as 8 bytes big-endian ‖ command bytes), starting from 32 zero
 * bytes. Two members at the same last_applied hold the same map exactly when their digests agree (up to
 * SHA-256 collisions), which is what the crash tests compare.
 */
export class KvStateMachine {
  #map = new Map<string, string>();
  #digest: Buffer = ZERO_DIGEST;
  #lastApplied = 0;

  get digestHex(): string {
    return this.#digest.toString('hex');
  }

  /** The highest index applied, including entries that are not commands (no-ops, membership). */
  get lastApplied(): number {
    return this.#lastApplied;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): string | undefined {
    return this.#map.get(key);
  }

  /** Applies a command entry; bytes that do not decode still enter the digest, so every member agrees. */
  applyCommand(index: number, data: Uint8Array): void {
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(index));
    this.#digest = createHash('sha256').update(this.#digest).update(head).update(data).digest();
    const command = decodeKvCommand(data);
    if (command?.op === 'set') this.#map.set(command.key, command.value);
    else if (command?.op === 'del') this.#map.delete(command.key);
    this.#lastApplied = index;
  }

  /** No-op, membership and version entries change nothing but the applied index. */
  skip(index: number): void {
    this.#lastApplied = index;
  }

  serialize(): Uint8Array {
    return Buffer.from(JSON.stringify({ v: 1, index: this.#lastApplied, digest: this.digestHex, map: [...this.#map] }));
  }

  /** Replaces everything with a snapshot's contents (restart, or a snapshot sent by the leader). */
  restore(data: Uint8Array, index: number): void {
    if (data.length === 0) {
      this.#map = new Map();
      this.#digest = ZERO_DIGEST;
      this.#lastApplied = index;
      return;
    }
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { v: number; digest: string; map: [string, string][] };
    if (parsed.v !== 1 || typeof parsed.digest !== 'string' || !Array.isArray(parsed.map)) {
      throw new Error('the snapshot does not hold a key-value map this version understands');
    }
    this.#map = new Map(parsed.map);
    this.#digest = Buffer.from(parsed.digest, 'hex');
    this.#lastApplied = index;
  }
}
