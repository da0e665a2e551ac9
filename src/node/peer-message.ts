// Checks that what a peer sent is a Raft message before the core sees it: one bad peer must not crash a node.

import type { Message, MessageType } from '../raft/index.js';

const TYPES: ReadonlySet<string> = new Set<MessageType>([
  'preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp',
  'snapshot', 'timeoutNow', 'propose', 'proposeResp', 'readIndex', 'readIndexResp',
]);
const MODES: ReadonlySet<string> = new Set(['candidate', 'voter', 'manual']);
const KINDS: ReadonlySet<string> = new Set(['noop', 'command', 'config', 'version']);
/** Numbers a message may carry: each a whole number >= 0, so a peer cannot push a term of Infinity or NaN. */
const COUNTS = ['term', 'supportedCodeVersion', 'index', 'logTerm', 'commit', 'rejectHint', 'context'] as const;
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function isEntry(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return isCount(x['index']) && isCount(x['term']) && typeof x['kind'] === 'string' && KINDS.has(x['kind']) && x['data'] instanceof Uint8Array;
}

/**
 * The message, or null when a required field is missing or of the wrong type, or when it claims a
 * sender other than `peer`, the member that said hello on this connection.
 */
export function parseRaftMessage(x: unknown, peer?: string): Message | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  if (typeof m['type'] !== 'string' || !TYPES.has(m['type'])) return null;
  if (typeof m['from'] !== 'string' || typeof m['to'] !== 'string') return null;
  if (peer !== undefined && m['from'] !== peer) return null;
  if (!isCount(m['term']) || !isCount(m['supportedCodeVersion'])) return null;
  for (const field of COUNTS) if (m[field] !== undefined && !isCount(m[field])) return null;
  if (typeof m['mode'] !== 'string' || !MODES.has(m['mode'])) return null;
  if (m['entries'] !== undefined && !(Array.isArray(m['entries']) && m['entries'].every(isEntry))) return null;
  if (m['type'] === 'snapshot' && (typeof m['snapshot'] !== 'object' || m['snapshot'] === null)) return null;
  return m as unknown as Message;
}
