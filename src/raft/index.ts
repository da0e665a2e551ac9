// The public surface of the Raft core: a pure, deterministic state machine the node runtime drives.
/**
 * # Driving a RaftNode
 *
 * ```ts
 * const node = new RaftNode({ id, voters, random, electionMode, supportedCodeVersion,
 *                             hardState, entries, snapshot });          // restored from storage
 * every tick interval:  node.tick();
 * on a message:         node.step(decode(bytes));
 * on a client request:  node.propose(data, id) | proposeConfChange({type, node}, id) | proposeVersion(n, id)
 *                       | transferLeadership(target | 'auto', id) | readIndex(id) | campaign() | setElectionMode(mode)
 * then, until it returns null:
 *   const rd = node.ready();
 *   1. persist rd.snapshot (restore the state machine from it), rd.entries (truncate stored entries from
 *      rd.entries[0].index first) and rd.hardState; fsync.          -- "durable before sent"
 *      If that fails: node.reportStorageFailure(reason) and stop handling rd (send nothing, apply nothing).
 *   2. send rd.messages. A leader's append, heartbeat and snapshot messages may instead be sent while step 1
 *      writes rd.entries (thesis 10.2.1), provided rd changes no term or vote and carries no snapshot: the
 *      leader counts its own copy towards a quorum only after advance(). Every other message waits for step 1.
 *   3. apply rd.committed in order; serve rd.readStates once applied >= index; turn rd.results into replies.
 *   4. node.advance(rd).
 * Call node.compact(appliedIndex, stateMachineBytes) now and then and persist the snapshot it returns.
 * ```
 *
 * Election modes (Tarantool PR 12696) are per member, set at construction and changed by `setElectionMode`
 * (an operator's drain makes a member `voter` before maintenance): `candidate` campaigns after
 * a randomized election timeout; `manual` campaigns only when a transfer's TimeoutNow asks it to, or when
 * the operator calls `campaign()` (promote; needed when a manual member holds the longest log and no leader
 * is left to transfer from); `voter` never campaigns and is refused as a transfer target. All three vote
 * and count in quorums. `setElectionMode('voter')` is refused (`lastLeaderCandidate`) when no other voter is known to be able to lead.
 *
 * Every message carries its sender's election mode and supported code version, so a leader knows them for
 * every member it has heard from: `status().peers` shows them, transfers refuse known `voter` targets, and
 * `proposeVersion` refuses until every member's supported version is known.
 *
 * Membership: `add` appends a config entry making the node a learner; the leader promotes it to voter once
 * its log has caught up with the commit index; the `confChange` result arrives when the learner entry commits
 * (as PySyncObj answers `add`), whether or not the new member runs yet.
 * A node joining an existing cluster is started with `voters: []` and empty storage. Removing the leader
 * first transfers leadership to the most up-to-date eligible voter, then forwards the removal to it.
 * Config entries carry the whole membership and take effect when appended (thesis 4.1), so `status()`
 * shows the latest configuration, committed or not. One change at a time; a new leader defers changes
 * until it has committed an entry of its own term.
 *
 * Requests: every request (write, membership change, version, transfer) may be made on any member. A
 * follower forwards it to the leader (or holds it, bounded, until it knows one; a transfer is refused at
 * once when no leader is known); the result always comes back on the member where the request was made,
 * once the entry commits (ok) or is overwritten (failed). A leader running a transfer holds requests and
 * forwards them to the new leader, or appends them itself if the transfer aborts; it tells a forwarding
 * member that it holds its request, so that member waits past the change of leader. Results never claim
 * success early: a transfer is ok only once the leader hears from the target as leader of a newer term.
 *
 * Failures: every failed result carries a `code` (FAILURE_CODES: decide on it) and a `reason` (show it;
 * never parse it). The core throws only RaftInvariantError, for a broken contract, never for a request.
 *
 * Peer messages: check what arrives off the wire with `parseRaftMessage(value, peer)` before `step`. A
 * leader ignores answers from members it does not track (removed, or not yet added) and counts them in
 * `status().ignoredFromNonMembers`.
 *
 * Snapshots: `compact(index, data)` with index <= applied drops the log prefix; persist the returned
 * snapshot. A follower too far behind gets the snapshot in a `snapshot` message; its Ready then carries
 * `snapshot`, which the shell persists (replacing its log) and loads into the state machine.
 *
 * Storage failure: if persisting a Ready fails, call `reportStorageFailure(err)` instead of `advance`; the
 * node gives up leadership, drops the entries it could not write (their requests fail) and retries the
 * hard state in the next Ready.
 */
export { RaftNode } from './raft.js';
export type { RaftConfig } from './raft-config.js';
export type { RaftStatus, PeerStatus, Role } from './status.js';
export { parseRaftMessage } from './messages.js';
export type { Message, MessageType, RequestId, RequestKind } from './messages.js';
export { FAILURE_CODES } from './results.js';
export type { Failure, FailureCode, Outcome, Ready, RaftResult, ReadState } from './results.js';
export { RaftInvariantError } from './errors.js';
export type { ConfChange, Membership } from './membership.js';
export { decodeMembership, encodeMembership } from './membership.js';
export { decodeCodeVersion, encodeCodeVersion } from './code-version.js';
export type { ProgressState } from './progress.js';
export type { TransferPhase } from './transfer.js';
export type { ElectionMode, Entry, EntryKind, HardState, NodeId, Snapshot, SnapshotMeta } from './types.js';
