// ReadIndex (thesis 6.4): a read waits until a heartbeat round shows the leader still leads, then for the commit index to apply; a follower forwards its reads.
import type { Message, OutgoingMessage, RequestId } from './messages.js';
import { hasMajority } from './quorum.js';
import { failed, type Failure, type RaftResult, type ReadState } from './results.js';
import { FORWARDED_READ_TIMEOUT } from './timeouts.js';
import type { NodeId } from './types.js';

/** What the read path needs from the core. */
export interface ReadHost {
  readonly id: NodeId;
  readonly electionTicks: number;
  isLeader(): boolean;
  leader(): NodeId | null;
  /** A leader's commit index is trustworthy only once it committed an entry of its own term. */
  committedOwnTerm(): boolean;
  committed(): number;
  voters(): readonly NodeId[];
  /** Sends a heartbeat round carrying `context` to every follower. */
  broadcastHeartbeat(context: number): void;
  send(m: OutgoingMessage): void;
  report(r: RaftResult): void;
  readState(rs: ReadState): void;
}

interface PendingRead {
  requestId: RequestId;
  origin: NodeId;
  /** The commit index when the read arrived: serving it after applying this far is linearizable. */
  index: number;
  round: number;
}

export class ReadIndex {
  #round = 0;
  /** The highest heartbeat round each voter has answered. */
  readonly #acked = new Map<NodeId, number>();
  #pending: PendingRead[] = [];
  /** Reads that arrived before the leader committed an entry of its term (its commit index may be stale). */
  #waitingForCommit: { requestId: RequestId; origin: NodeId }[] = [];
  /** This follower's reads, sent to the leader and not answered yet. */
  #forwarded: { requestId: RequestId; elapsed: number }[] = [];

  constructor(private readonly host: ReadHost) {}

  /** A read made on this member. */
  request(requestId: RequestId): void {
    const { host } = this;
    const lead = host.leader();
    if (host.isLeader()) this.#leaderRead(requestId, host.id);
    else if (lead !== null) {
      host.send({ type: 'readIndex', to: lead, requestId });
      this.#forwarded.push({ requestId, elapsed: 0 });
    } else host.report({ type: 'read', requestId, ...failed('noLeader', 'no leader is known') });
  }

  /** A follower's read reached this member. */
  onForwarded(m: Extract<Message, { type: 'readIndex' }>): void {
    if (this.host.isLeader()) this.#leaderRead(m.requestId, m.from);
    else this.#answer(m.requestId, m.from, failed('notLeader', 'not the leader'));
  }

  onAnswer(m: Extract<Message, { type: 'readIndexResp' }>): void {
    const i = this.#forwarded.findIndex((r) => r.requestId === m.requestId);
    if (i < 0) return;
    this.#forwarded.splice(i, 1);
    if ('reject' in m) this.host.report({ type: 'read', requestId: m.requestId, ...failed(m.code, m.reason) });
    else this.host.readState({ requestId: m.requestId, index: m.index });
  }

  /** A follower answered heartbeat round `round`: reads a majority has confirmed may be served. */
  onHeartbeatAnswer(from: NodeId, round: number): void {
    if (round > (this.#acked.get(from) ?? 0)) this.#acked.set(from, round);
    const { host } = this;
    const voters = host.voters();
    this.#pending = this.#pending.filter((r) => {
      const confirmed = hasMajority(voters, (id) => id === host.id || (this.#acked.get(id) ?? 0) >= r.round);
      if (confirmed) this.#answer(r.requestId, r.origin, r.index);
      return !confirmed;
    });
  }

  /** The leader committed an entry of its term: the reads that waited for it start their round. */
  ownTermCommitted(): void {
    for (const r of this.#waitingForCommit.splice(0)) this.#leaderRead(r.requestId, r.origin);
  }

  /** Leadership was lost: no pending read can be confirmed any more. */
  leadershipLost(): void {
    const all = [...this.#pending, ...this.#waitingForCommit];
    this.#pending = [];
    this.#waitingForCommit = [];
    this.#acked.clear();
    for (const r of all) this.#answer(r.requestId, r.origin, failed('leadershipLost', 'leadership was lost before the read was confirmed'));
  }

  /** Forwarded reads the leader leaves unanswered fail after a bound. */
  tick(): void {
    const limit = FORWARDED_READ_TIMEOUT * this.host.electionTicks;
    this.#forwarded = this.#forwarded.filter((r) => {
      if (++r.elapsed < limit) return true;
      this.host.report({ type: 'read', requestId: r.requestId, ...failed('timedOut', 'the leader did not confirm the read in time') });
      return false;
    });
  }

  #leaderRead(requestId: RequestId, origin: NodeId): void {
    const { host } = this;
    if (!host.committedOwnTerm()) {
      this.#waitingForCommit.push({ requestId, origin });
      return;
    }
    const voters = host.voters();
    if (voters.length === 1 && voters[0] === host.id) return this.#answer(requestId, origin, host.committed());
    this.#round++;
    this.#pending.push({ requestId, origin, index: host.committed(), round: this.#round });
    host.broadcastHeartbeat(this.#round);
  }

  #answer(requestId: RequestId, origin: NodeId, outcome: number | Failure): void {
    const { host } = this;
    if (origin === host.id) {
      if (typeof outcome === 'number') host.readState({ requestId, index: outcome });
      else host.report({ type: 'read', requestId, ...outcome });
    } else if (typeof outcome === 'number') host.send({ type: 'readIndexResp', to: origin, requestId, index: outcome });
    else host.send({ type: 'readIndexResp', to: origin, requestId, reject: true, code: outcome.code, reason: outcome.reason });
  }
}
