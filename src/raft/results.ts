// What the core hands back to the shell: the Ready batch, and the typed outcomes of requests, each failure with a code.
import type { Message, RequestId } from './messages.js';
import type { Entry, HardState, NodeId, Snapshot } from './types.js';

/**
 * Why a request failed, for programs; `reason` says the same for people. Callers decide on the code
 * (retry, redirect, report) and never look inside the reason.
 */
export const FAILURE_CODES = [
  /** This member, or the one the request was forwarded to, does not lead. */
  'notLeader',
  /** No leader is known, or none was found in time. */
  'noLeader',
  /** Too many requests are already waiting. */
  'busy',
  /** The request may or may not take effect: whoever had it stopped answering. */
  'unknownOutcome',
  /** A newer leader replaced the entry before it committed (thesis 3.5). */
  'overwritten',
  /** This member's storage failed before the entry was written. */
  'storageFault',
  /** Leadership was lost while the request needed it. */
  'leadershipLost',
  /** A read was not confirmed in time. */
  'timedOut',
  /** The membership change is not valid against the current configuration. */
  'invalidChange',
  /** Another membership change is still being committed (one at a time, thesis 4.1). */
  'changeInProgress',
  /** The code version cannot be enabled. */
  'unsupportedVersion',
  /** The transfer target, or the member asked to campaign, cannot lead. */
  'ineligibleTarget',
  /** A leadership transfer is already running. */
  'transferInProgress',
  /** The transfer target did not win within an election timeout, while this leader still leads. */
  'transferTimedOut',
  /** Another member than the target won the election the transfer started. */
  'targetLost',
  /** The member is already the leader. */
  'alreadyLeader',
  /** Turning `voter` would leave no other voter known to be able to lead (a drain of the last one). */
  'lastLeaderCandidate',
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export interface Failure {
  ok: false;
  code: FailureCode;
  reason: string;
}

/** What a request the core answers at once returns (campaign, setElectionMode). */
export type Outcome = { ok: true } | Failure;

export function failed(code: FailureCode, reason: string): Failure {
  return { ok: false, code, reason };
}

/** A read that may be served once the state machine has applied `index` (ReadIndex, thesis 6.4). */
export interface ReadState {
  requestId: RequestId;
  index: number;
}

export type RaftResult =
  | { type: 'proposal'; requestId: RequestId; ok: true; index: number }
  | ({ type: 'proposal'; requestId: RequestId } & Failure)
  /** ok only once the target has won: the leader heard from it as leader of a newer term. */
  | { type: 'transfer'; requestId: RequestId | null; ok: true; leader: NodeId }
  | ({ type: 'transfer'; requestId: RequestId | null; leader: NodeId | null } & Failure)
  /** `add` succeeds once the entry adding the node as a learner commits (its promotion comes later); `remove` when its removal commits. */
  | { type: 'confChange'; requestId: RequestId; ok: true; index: number }
  | ({ type: 'confChange'; requestId: RequestId } & Failure)
  | { type: 'version'; requestId: RequestId; ok: true; version: number; index: number }
  | ({ type: 'version'; requestId: RequestId } & Failure)
  | ({ type: 'read'; requestId: RequestId } & Failure)
  /** A notice, not a request: persisting failed and the node gave up leadership (or candidacy); nothing unpersisted was acknowledged. */
  | { type: 'storageFailure'; reason: string; steppedDown: boolean };

/**
 * One batch of work. The shell handles it in this order (etcd-raft's Ready contract, with "durable
 * before sent" made explicit):
 * 1. persist `snapshot` (then restore the state machine from it), `entries` (first truncate stored entries
 *    at index >= entries[0].index) and `hardState`, atomically if it can, and fsync;
 * 2. only then send `messages` (a vote or an acknowledgement must never leave before it is durable);
 * 3. apply `committed` in order, then serve `readStates` once applied >= their index, and deliver `results`;
 * 4. call `advance(ready)`.
 * If step 1 fails, send nothing, apply nothing, and call `reportStorageFailure` instead of `advance`.
 */
export interface Ready {
  hardState?: HardState;
  snapshot?: Snapshot;
  entries: Entry[];
  messages: Message[];
  committed: Entry[];
  readStates: ReadState[];
  results: RaftResult[];
}
