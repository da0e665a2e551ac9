// What the Ready contract lets the runtime do around the disk: which hard states must be written,
// and which messages may leave before a Ready is durable.

import type { HardState, Message, Ready } from '../raft/index.js';

/** Write the commit index to the hard state file when it moved this far since the last write. */
const COMMIT_PERSIST_EVERY = 1000;

const NONE: ReadonlySet<Message> = new Set();

/**
 * Term and vote must be durable before any message that depends on them leaves. The commit index
 * is volatile state in Raft (a restarted member learns it again from the leader), so it is written
 * only now and then: one atomic file write per Ready would otherwise double the fsyncs per write.
 */
export function mustPersistHardState(next: HardState, stored: HardState): boolean {
  return next.term !== stored.term || next.vote !== stored.vote || next.commit - stored.commit >= COMMIT_PERSIST_EVERY;
}

/**
 * The leader's append, heartbeat and snapshot messages of a Ready that changes no term or vote and
 * installs no snapshot: they may leave while the leader writes its own copy (thesis 10.2.1), since the
 * core counts that copy towards a quorum only after advance(). A term or vote must be durable before
 * any message leaves (a leader's were made durable when it campaigned, so that check is a guard, not
 * a path taken); an acknowledgement (appendResp) only once the entries it acknowledges are.
 */
export function sendableBeforePersist(rd: Ready, stored: HardState, storageFailing: boolean): ReadonlySet<Message> {
  const termOrVote = rd.hardState !== undefined && (rd.hardState.term !== stored.term || rd.hardState.vote !== stored.vote);
  if (rd.snapshot !== undefined || termOrVote || storageFailing) return NONE;
  const early = new Set<Message>();
  for (const m of rd.messages) if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') early.add(m);
  return early;
}
