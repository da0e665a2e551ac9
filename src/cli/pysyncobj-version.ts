// What a status reply says about the node's software. Released PySyncObj (up to 0.3.14) has no
// 'transfer' command, and a 0.3.11 node that receives one dies: its poll thread raises TypeError
// (unhashable list, pysyncobj/transport.py _onIncomingMessageReceived) and Raft stops on it.

import type { StatusMap } from '../client/commands.js';

/** The first PySyncObj version that may carry leadership transfer (PySyncObj PR 200 shows 0.3.15). */
const FIRST_WITH_TRANSFER = [0, 3, 15];

/** Our own node reports keys that PySyncObj never has. */
export function isSyncobjNode(status: StatusMap): boolean {
  return status.has('election_mode');
}

/** The PySyncObj version that is known to lack 'transfer', or null when it may have it. */
export function versionWithoutTransfer(status: StatusMap): string | null {
  if (isSyncobjNode(status)) return null;
  const version = status.get('version');
  if (typeof version !== 'string') return null;
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.length < 3 || parts.some(Number.isNaN)) return null;
  for (let i = 0; i < 3; i++) {
    if (parts[i]! !== FIRST_WITH_TRANSFER[i]!) return parts[i]! < FIRST_WITH_TRANSFER[i]! ? version : null;
  }
  return null;
}
