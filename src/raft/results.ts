// What the core hands back to the shell: the Ready batch and the typed outcomes of local requests.
import type { Message, RequestId } from './messages.js';
import type { Entry, HardState, NodeId, Snapshot } from './types.js';

/** A read that may be served once the state machine has applied `index` (ReadIndex, thesis 6.4). */
export interface ReadState {
  requestId: RequestId;
  index: number;
}

export type RaftResult =
  | { type: 'proposal'; requestId: RequestId; ok: true; index: number }
  | { type: 'proposal'; requestId: RequestId; ok: false; reason: string }
  /** ok only once the target has won: this node heard from it as leader of a newer term. */
  | { type: 'transfer'; requestId: RequestId | null; ok: true; leader: NodeId }
  | { type: 'transfer'; requestId: RequestId | null; ok: false; reason: string; leader: NodeId | null }
  /** `add` succeeds once the entry adding the node as a learner commits (its promotion comes later); `remove` when its removal commits. */
  | { type: 'confChange'; requestId: RequestId; ok: true; index: number }
  | { type: 'confChange'; requestId: RequestId; ok: false; reason: string }
  | { type: 'version'; requestId: RequestId; ok: true; version: number; index: number }
  | { type: 'version'; requestId: RequestId; ok: false; reason: string }
  | { type: 'read'; requestId: RequestId; ok: false; reason: string }
  /** Persisting failed: the node gave up leadership (or candidacy); nothing unpersisted was acknowledged. */
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
