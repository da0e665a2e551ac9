// The replicated key-value commands as log entry bytes: a small JSON object, hashed exactly as stored.

export type KvCommand = { op: 'set'; key: string; value: string } | { op: 'del'; key: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command.op === 'set' ? { op: 'set', key: command.key, value: command.value } : { op: 'del', key: command.key }));
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
  const { op, key, value } = parsed as Record<string, unknown>;
  if (typeof key !== 'string') return null;
  if (op === 'set' && typeof value === 'string') return { op, key, value };
  if (op === 'del') return { op, key };
  return null;
}
