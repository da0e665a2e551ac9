// The replicated key-value map and its applied digest: a chain over every applied command.

import { chain64, Sha256Chain } from './digest-chain.js';
import { BINARY_COMMANDS_VERSION, decodeKvCommand } from './kv-command.js';

const ZERO_DIGEST = Buffer.alloc(32);
/** Client sessions remembered; the least recently used is forgotten first (by log order, so every member agrees). */
const MAX_SESSIONS = 10_000;
/** Write numbers remembered per session above its floor; a client never has this many in flight. */
const MAX_SEQS_PER_SESSION = 10_000;

interface SessionState {
  floor: number;
  applied: Set<number>;
}

/**
 * Removes the numbers in [from, to) from `applied`, which holds no number below `from`. Walking the
 * range costs what the floor moved, about one number per write; a floor that jumps further than
 * the set is large walks the set instead, so neither a jump nor many writes in flight costs more
 * than the smaller of the two.
 */
function forgetBelow(applied: Set<number>, from: number, to: number): void {
  if (to - from <= applied.size) {
    for (let q = from; q < to; q++) applied.delete(q);
    return;
  }
  for (const q of applied) if (q < to) applied.delete(q);
}

/**
 * digest_i = step(digest_{i-1}, i, command bytes), starting from 32 zero bytes, where step is SHA-256
 * below code version 1 and a 64-bit hash from it on (digest-chain.ts). The switch happens where the
 * version entry is applied, the same index on every member, and the digest is then cut to its first
 * 8 bytes. Two members at the same last_applied hold the same map exactly when their digests agree
 * (up to collisions), which is what the crash tests and the `-cluster` verdict compare.
 */
export class KvStateMachine {
  #map = new Map<string, string>();
  #digest: Buffer = ZERO_DIGEST;
  #lastApplied = 0;
  #codeVersion = 0;
  #sessions = new Map<string, SessionState>();
  readonly #sha256 = new Sha256Chain();

  get digestHex(): string {
    return this.#digest.toString('hex');
  }

  /** The highest index applied, including entries that are not commands (no-ops, membership). */
  get lastApplied(): number {
    return this.#lastApplied;
  }

  /** The code version enabled as of last_applied: it decides how commands are written and chained. */
  get codeVersion(): number {
    return this.#codeVersion;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): string | undefined {
    return this.#map.get(key);
  }

  /** Applies a command entry; bytes that do not decode still enter the digest, so every member agrees. */
  applyCommand(index: number, data: Uint8Array): void {
    this.#digest = this.#codeVersion >= BINARY_COMMANDS_VERSION ? chain64(this.#digest, index, data) : this.#sha256.step(this.#digest, index, data);
    const command = decodeKvCommand(data);
    this.#lastApplied = index;
    if (command === null || (command.client && this.#isDuplicate(command.client.session, command.client.seq, command.client.floor))) return;
    if (command.op === 'set') this.#map.set(command.key, command.value);
    else this.#map.delete(command.key);
  }

  /** Records the write number; true when it was applied before (a client's re-send after an ambiguous outcome). */
  #isDuplicate(session: string, seq: number, floor: number): boolean {
    let state = this.#sessions.get(session);
    if (state === undefined) {
      state = { floor: 0, applied: new Set() };
      if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    } else this.#sessions.delete(session);
    this.#sessions.set(session, state);
    const duplicate = seq < state.floor || state.applied.has(seq);
    if (!duplicate) state.applied.add(seq);
    if (floor > state.floor) {
      forgetBelow(state.applied, state.floor, floor);
      state.floor = floor;
    }
    if (state.applied.size > MAX_SEQS_PER_SESSION) {
      const oldest = Math.min(...state.applied);
      state.applied.delete(oldest);
      state.floor = Math.max(state.floor, oldest + 1);
    }
    return duplicate;
  }

  /** No-op and membership entries change nothing but the applied index. */
  skip(index: number): void {
    this.#lastApplied = index;
  }

  /** A version entry: from the next entry on, commands may be binary and the digest chains with 64 bits. */
  enableCodeVersion(index: number, version: number): void {
    if (version >= BINARY_COMMANDS_VERSION && this.#codeVersion < BINARY_COMMANDS_VERSION) this.#digest = Buffer.from(this.#digest.subarray(0, 8));
    this.#codeVersion = Math.max(this.#codeVersion, version);
    this.#lastApplied = index;
  }

  serialize(): Uint8Array {
    const sessions = [...this.#sessions].map(([id, st]) => [id, st.floor, [...st.applied]]);
    return Buffer.from(JSON.stringify({ v: 1, index: this.#lastApplied, digest: this.digestHex, map: [...this.#map], sessions }));
  }

  /** Replaces everything with a snapshot's contents (restart, or a snapshot sent by the leader), taken at `codeVersion`. */
  restore(data: Uint8Array, index: number, codeVersion: number): void {
    this.#codeVersion = codeVersion;
    if (data.length === 0) {
      this.#map = new Map();
      this.#sessions = new Map();
      this.#digest = codeVersion >= BINARY_COMMANDS_VERSION ? ZERO_DIGEST.subarray(0, 8) : ZERO_DIGEST;
      this.#lastApplied = index;
      return;
    }
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { v: number; digest: string; map: [string, string][]; sessions?: [string, number, number[]][] };
    if (parsed.v !== 1 || typeof parsed.digest !== 'string' || !Array.isArray(parsed.map)) {
      throw new Error('the snapshot does not hold a key-value map this version understands');
    }
    this.#map = new Map(parsed.map);
    this.#sessions = new Map((parsed.sessions ?? []).map(([id, floor, applied]) => [id, { floor, applied: new Set(applied) }]));
    this.#digest = Buffer.from(parsed.digest, 'hex');
    this.#lastApplied = index;
  }
}
