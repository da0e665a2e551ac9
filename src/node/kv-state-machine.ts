// The replicated key-value map and its applied digest: a SHA-256 chain over every applied command.

import { hash } from 'node:crypto';
import { decodeKvCommand } from './kv-command.js';

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
 * digest_i = sha256(digest_{i-1} ‖ index as 8 bytes big-endian ‖ command bytes), starting from 32 zero
 * bytes. Two members at the same last_applied hold the same map exactly when their digests agree (up to
 * SHA-256 collisions), which is what the crash tests compare.
 */
export class KvStateMachine {
  #map = new Map<string, string>();
  #digest: Buffer = ZERO_DIGEST;
  #lastApplied = 0;
  #sessions = new Map<string, SessionState>();
  /** digest ‖ index ‖ command, laid out once per entry and hashed in one call: no hash object per entry. */
  #chainInput = Buffer.alloc(4096);

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
    this.#digest = this.#chain(index, data);
    const command = decodeKvCommand(data);
    this.#lastApplied = index;
    if (command === null || (command.client && this.#isDuplicate(command.client.session, command.client.seq, command.client.floor))) return;
    if (command.op === 'set') this.#map.set(command.key, command.value);
    else this.#map.delete(command.key);
  }

  #chain(index: number, data: Uint8Array): Buffer {
    const length = 40 + data.length;
    if (this.#chainInput.length < length) this.#chainInput = Buffer.alloc(Math.max(length, this.#chainInput.length * 2));
    const input = this.#chainInput;
    this.#digest.copy(input, 0);
    input.writeUInt32BE(Math.floor(index / 0x1_0000_0000), 32);
    input.writeUInt32BE(index >>> 0, 36);
    input.set(data, 40);
    return hash('sha256', input.subarray(0, length), 'buffer');
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

  /** No-op, membership and version entries change nothing but the applied index. */
  skip(index: number): void {
    this.#lastApplied = index;
  }

  serialize(): Uint8Array {
    const sessions = [...this.#sessions].map(([id, st]) => [id, st.floor, [...st.applied]]);
    return Buffer.from(JSON.stringify({ v: 1, index: this.#lastApplied, digest: this.digestHex, map: [...this.#map], sessions }));
  }

  /** Replaces everything with a snapshot's contents (restart, or a snapshot sent by the leader). */
  restore(data: Uint8Array, index: number): void {
    if (data.length === 0) {
      this.#map = new Map();
      this.#sessions = new Map();
      this.#digest = ZERO_DIGEST;
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
