// The admin commands and replies, whatever the wire that carries them.

import { PyNode, pyStr, type PyValue } from '../wire/pysyncobj/py-values.js';

export type AdminCommand =
  | { kind: 'status' }
  | { kind: 'add'; node: string }
  | { kind: 'remove'; node: string }
  | { kind: 'set_version'; version: number }
  | { kind: 'transfer'; node: string };

/** A status value: PySyncObj's node objects arrive as their address text. */
export type StatusValue = string | number | bigint | boolean | null;
export type StatusMap = Map<string, StatusValue>;
export type AdminReply = StatusValue | StatusMap;

/** The request as PySyncObj's utility sends it: a list `[name, argument]`. */
export function commandToPy(command: AdminCommand): PyValue[] {
  switch (command.kind) {
    case 'status':
      return ['status'];
    case 'set_version':
      return ['set_version', command.version];
    default:
      return [command.kind, command.node];
  }
}

export function describeCommand(command: AdminCommand): string {
  return command.kind === 'status' ? 'status' : `${command.kind} ${command.kind === 'set_version' ? command.version : command.node}`;
}

/** Flattens a decoded reply into plain values; anything nested is kept as Python's str() of it. */
export function replyFromPy(value: PyValue): AdminReply {
  if (value instanceof Map) {
    const status: StatusMap = new Map();
    for (const [k, v] of value) status.set(pyStr(k), statusValue(v));
    return status;
  }
  return statusValue(value);
}

function statusValue(v: PyValue): StatusValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (v instanceof PyNode) return v.address;
  return pyStr(v);
}

/** add/remove/set_version/transfer succeed only on a reply that says so; anything else is the node's reason. */
export function isSuccessReply(reply: AdminReply): boolean {
  return typeof reply === 'string' && reply.startsWith('SUCCESS ');
}
