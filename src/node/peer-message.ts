// Checks that what a peer sent is a Raft message before the core sees it: one bad peer must not crash a node.

import type { Message, MessageType } from '../raft/index.js';

const TYPES: ReadonlySet<string> = new Set<MessageType>([
  'preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp',
  'snapshot', 'timeoutNow', 'propose', 'proposeResp', 'readIndex', 'readIndexResp',
]);
const MODES: ReadonlySet<string> = new Set(['candidate', 'voter', 'manual']);

/** The message, or null when a required field is missing or of the wrong type. */
export function parseRaftMessage(x: unknown): Message | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  if (typeof m['type'] !== 'string' || !TYPES.has(m['type'])) return null;
  if (typeof m['from'] !== 'string' || typeof m['to'] !== 'string') return null;
  if (typeof m['term'] !== 'number' || typeof m['supportedCodeVersion'] !== 'number') return null;
  if (typeof m['mode'] !== 'string' || !MODES.has(m['mode'])) return null;
  if (m['entries'] !== undefined && !Array.isArray(m['entries'])) return null;
  if (m['type'] === 'snapshot' && (typeof m['snapshot'] !== 'object' || m['snapshot'] === null)) return null;
  return m as unknown as Message;
}
