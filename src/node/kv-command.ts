// The replicated key-value commands as log entry bytes: a small JSON object (code version 0) or a
// binary record (code version 1 and later), hashed exactly as stored.

/**
 * A client session for at-most-once writes (Raft thesis 6.3): the client numbers its writes, re-sends
 * one with the same number after an ambiguous outcome (a lost connection, a timeout), and the state
 * machine applies each number once. `floor` says every number below it has completed, so the state
 * machine may forget them. On the native wire these ride as optional fields of a `kv` request.
 */
export interface KvSession {
  session: string;
  seq: number;
  floor: number;
}

export type KvCommand = ({ op: 'set'; key: string; value: string } | { op: 'del'; key: string }) & { client?: KvSession };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The code version from which commands are written as binary records and the applied digest chains
 * with 64 bits (see digest-chain.ts). A member writes them only once it has applied the entry that
 * enables this version, so every binary command sits after that entry in the log, where every
 * member, having been checked to support the version, reads it.
 */
export const BINARY_COMMANDS_VERSION = 1;

const TAG_SET = 0x01;
const TAG_DEL = 0x02;
const TAG_HAS_SESSION = 0x80;

/** The command's bytes: JSON below code version 1, a binary record from it on. */
export function encodeKvCommand(command: KvCommand, codeVersion = 0): Uint8Array {
  if (codeVersion >= BINARY_COMMANDS_VERSION) return encodeBinary(command);
  const body: Record<string, unknown> = command.op === 'set' ? { op: 'set', key: command.key, value: command.value } : { op: 'del', key: command.key };
  if (command.client) Object.assign(body, { s: command.client.session, q: command.client.seq, f: command.client.floor });
  return encoder.encode(JSON.stringify(body));
}

/**
 * tag (1 set, 2 del; +0x80 when a session follows) ‖ key length u32 ‖ key ‖ [value length u32 ‖ value]
 * ‖ [session length u8 ‖ session ‖ seq f64 ‖ floor f64], big-endian, strings in UTF-8. JSON text
 * always starts with `{`, so the first byte tells the two layouts apart.
 */
function encodeBinary(command: KvCommand): Uint8Array {
  const keyBytes = Buffer.byteLength(command.key);
  const valueBytes = command.op === 'set' ? Buffer.byteLength(command.value) : -1;
  const sessionBytes = command.client ? Buffer.byteLength(command.client.session) : -1;
  const out = Buffer.allocUnsafe(1 + 4 + keyBytes + (valueBytes >= 0 ? 4 + valueBytes : 0) + (sessionBytes >= 0 ? 1 + sessionBytes + 16 : 0));
  out[0] = (command.op === 'set' ? TAG_SET : TAG_DEL) | (command.client ? TAG_HAS_SESSION : 0);
  let at = out.writeUInt32BE(keyBytes, 1);
  at += out.write(command.key, at, 'utf8');
  if (command.op === 'set') {
    at = out.writeUInt32BE(valueBytes, at);
    at += out.write(command.value, at, 'utf8');
  }
  if (command.client) {
    out[at++] = sessionBytes;
    at += out.write(command.client.session, at, 'utf8');
    at = out.writeDoubleBE(command.client.seq, at);
    out.writeDoubleBE(command.client.floor, at);
  }
  return out;
}

/** Null for bytes that are not a command of ours: the state machine skips them rather than diverge by crashing. */
export function decodeKvCommand(data: Uint8Array): KvCommand | null {
  const tag = data[0];
  if (tag === TAG_SET || tag === TAG_DEL || tag === (TAG_SET | TAG_HAS_SESSION) || tag === (TAG_DEL | TAG_HAS_SESSION)) return decodeBinary(data, tag);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { op, key, value, s, q, f } = parsed as Record<string, unknown>;
  if (typeof key !== 'string') return null;
  const client = typeof s === 'string' && typeof q === 'number' && typeof f === 'number' ? { client: { session: s, seq: q, floor: f } } : {};
  if (op === 'set' && typeof value === 'string') return { op, key, value, ...client };
  if (op === 'del') return { op, key, ...client };
  return null;
}

/** A record whose lengths overrun it, or that has bytes left over, is not a command (null). */
function decodeBinary(data: Uint8Array, tag: number): KvCommand | null {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const end = b.length;
  let at = 1;
  const text = (length: number): string | null => {
    if (at + length > end) return null;
    const s = b.toString('utf8', at, at + length);
    at += length;
    return s;
  };
  if (at + 4 > end) return null;
  const keyLength = b.readUInt32BE(at);
  at += 4;
  const key = text(keyLength);
  if (key === null) return null;
  let value: string | null = null;
  if ((tag & ~TAG_HAS_SESSION) === TAG_SET) {
    if (at + 4 > end) return null;
    const valueLength = b.readUInt32BE(at);
    at += 4;
    value = text(valueLength);
    if (value === null) return null;
  }
  let client: KvSession | undefined;
  if (tag & TAG_HAS_SESSION) {
    if (at + 1 > end) return null;
    const session = text(b[at++]!);
    if (session === null || at + 16 !== end) return null;
    client = { session, seq: b.readDoubleBE(at), floor: b.readDoubleBE(at + 8) };
    at += 16;
  }
  if (at !== end) return null;
  const command: KvCommand = value === null ? { op: 'del', key } : { op: 'set', key, value };
  if (client) command.client = client;
  return command;
}

/** The session fields of a raw `kv` request, when present and sane; otherwise undefined (no deduplication). */
export function parseKvSession(raw: unknown): KvSession | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { session, seq, floor } = raw as Record<string, unknown>;
  if (typeof session !== 'string' || session.length === 0 || session.length > 64) return undefined;
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(floor) || (seq as number) < 0 || (floor as number) < 0) return undefined;
  return { session, seq: seq as number, floor: floor as number };
}
