// The replicated key-value commands as log entry bytes: a small JSON object, hashed exactly as stored.

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

export function encodeKvCommand(command: KvCommand): Uint8Array {
  const body: Record<string, unknown> = command.op === 'set' ? { op: 'set', key: command.key, value: command.value } : { op: 'del', key: command.key };
  if (command.client) Object.assign(body, { s: command.client.session, q: command.client.seq, f: command.client.floor });
  return encoder.encode(JSON.stringify(body));
}

/** Null for bytes that are not a command of ours: the state machine skips them rather than diverge by crashing. */
export function decodeKvCommand(data: Uint8Array): KvCommand | null {
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

/** The session fields of a raw `kv` request, when present and sane; otherwise undefined (no deduplication). */
export function parseKvSession(raw: unknown): KvSession | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { session, seq, floor } = raw as Record<string, unknown>;
  if (typeof session !== 'string' || session.length === 0 || session.length > 64) return undefined;
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(floor) || (seq as number) < 0 || (floor as number) < 0) return undefined;
  return { session, seq: seq as number, floor: floor as number };
}
