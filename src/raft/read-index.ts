// ReadIndex (thesis 6.4): a read waits until a heartbeat round shows this node still leads, then for the commit index to apply.
import type { RequestId } from './messages.js';
import type { NodeId } from './types.js';
import { hasMajority } from './quorum.js';

export interface PendingRead {
  requestId: RequestId;
  origin: NodeId;
  /** The commit index when the read arrived: serving it after applying this far is linearizable. */
  index: number;
  round: number;
}

export class ReadIndexTracker {
  private round = 0;
  /** The highest heartbeat round each voter has answered. */
  private readonly acked = new Map<NodeId, number>();
  private pending: PendingRead[] = [];
  /** Reads that arrived before the leader committed an entry of its term (its commit index may be stale). */
  waitingForCommit: { requestId: RequestId; origin: NodeId }[] = [];

  /** Starts a confirmation round for a read; the caller broadcasts heartbeats carrying the round. */
  start(requestId: RequestId, origin: NodeId, index: number): number {
    this.round++;
    this.pending.push({ requestId, origin, index, round: this.round });
    return this.round;
  }

  ack(from: NodeId, round: number): void {
    if (round > (this.acked.get(from) ?? 0)) this.acked.set(from, round);
  }

  /** Removes and returns the reads whose round a majority of voters (this leader included) has confirmed. */
  takeConfirmed(voters: readonly NodeId[], self: NodeId): PendingRead[] {
    const done: PendingRead[] = [];
    this.pending = this.pending.filter((r) => {
      const ok = hasMajority(voters, (id) => id === self || (this.acked.get(id) ?? 0) >= r.round);
      if (ok) done.push(r);
      return !ok;
    });
    return done;
  }

  /** Forgets everything (leadership lost); returns what was pending so the callers can be told. */
  reset(): { requestId: RequestId; origin: NodeId }[] {
    const all = [...this.pending, ...this.waitingForCommit];
    this.pending = [];
    this.waitingForCommit = [];
    this.acked.clear();
    return all;
  }
}
