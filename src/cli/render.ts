// Output: byte-identical to syncobj_admin by default, JSON with -json.

import { pyStr } from '../wire/pysyncobj/py-values.js';
import type { AdminReply } from '../client/commands.js';

/** syncobj_admin: a dict as sorted `key: value` lines with Python's str(); anything else as str(). */
export function renderReplyText(reply: AdminReply): string {
  if (reply instanceof Map) {
    return [...reply.keys()].sort(byCodePoint).map((k) => `${k}: ${pyStr(reply.get(k)!)}`).join('\n') + '\n';
  }
  return pyStr(reply) + '\n';
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Integers beyond JavaScript's safe range become strings, so no reader rounds them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    if (v instanceof Map) return Object.fromEntries([...v].sort(([a], [b]) => byCodePoint(String(a), String(b))));
    return v;
  }) + '\n';
}
