// Bookkeeping of requests made on this node until the log decides them: appended, forwarded or held.
import type { RequestId, RequestKind } from './messages.js';
import type { RaftResult } from './results.js';
import type { NodeId } from './types.js';

/** A request not yet in any log: held by a transferring leader, or waiting to be forwarded. */
export interface HeldRequest {
  requestId: RequestId;
  kind: RequestKind;
  data: Uint8Array;
  /** The member the client talks to, which gets the answer. */
  origin: NodeId;
}

/** A request of this node known to sit at (index, term); it succeeded iff that entry commits. */
export interface AppendedRequest {
  requestId: RequestId;
  kind: RequestKind;
  index: number;
  term: number;
  version?: number;
}

/**
 * Requests whose entries are in the log. The outcome is decided when the commit index passes the entry:
 * the same term means it committed; another term means a new leader overwrote it (thesis 3.5). The
 * tracker survives leadership changes, so a deposed leader still reports the truth.
 */
export class AppendedRequests {
  private readonly pending: AppendedRequest[] = [];

  /** Keeps the requests in index order, so resolving stops at the first one not yet committed. */
  add(request: AppendedRequest): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.index > request.index) i--;
    this.pending.splice(i, 0, request);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Fails the requests whose entries beyond `lastIndex` were dropped unwritten: no member can hold them. */
  failAbove(lastIndex: number, reason: string): RaftResult[] {
    const results: RaftResult[] = [];
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i]!;
      if (p.index > lastIndex) {
        this.pending.splice(i, 1);
        results.push(failure(p, reason));
      } else i++;
    }
    return results;
  }

  /**
   * Decides the requests at or below `committed`. An `add` is done once its learner entry commits, as
   * PySyncObj answers it (issue 10); the leader promotes the learner later, once it has caught up.
   */
  resolve(committed: number, termAt: (index: number) => number | undefined): RaftResult[] {
    const results: RaftResult[] = [];
    let decided = 0;
    while (decided < this.pending.length && this.pending[decided]!.index <= committed) decided++;
    for (const p of this.pending.splice(0, decided)) {
      const term = termAt(p.index);
      if (term === undefined) results.push(failure(p, 'outcome unknown: the log was replaced by a snapshot'));
      else if (term !== p.term) results.push(failure(p, 'overwritten by a newer leader before it committed'));
      else if (p.kind === 'command') results.push({ type: 'proposal', requestId: p.requestId, ok: true, index: p.index });
      else if (p.kind === 'version') results.push({ type: 'version', requestId: p.requestId, ok: true, version: p.version ?? 0, index: p.index });
      else results.push({ type: 'confChange', requestId: p.requestId, ok: true, index: p.index });
    }
    return results;
  }
}

export function failure(p: { requestId: RequestId; kind: RequestKind }, reason: string): RaftResult {
  switch (p.kind) {
    case 'command':
      return { type: 'proposal', requestId: p.requestId, ok: false, reason };
    case 'config':
      return { type: 'confChange', requestId: p.requestId, ok: false, reason };
    case 'version':
      return { type: 'version', requestId: p.requestId, ok: false, reason };
  }
}

/**
 * Requests of this node that a follower forwarded to the leader (or must forward once it knows one).
 * Both waits are bounded in ticks: a lost forward is reported as an unknown outcome, not left hanging.
 */
export class ForwardedRequests {
  readonly waitingForLeader: { request: HeldRequest; elapsed: number }[] = [];
  readonly awaitingAnswer: { request: HeldRequest; elapsed: number }[] = [];

  takeAnswered(requestId: RequestId): HeldRequest | undefined {
    const i = this.awaitingAnswer.findIndex((w) => w.request.requestId === requestId);
    if (i < 0) return undefined;
    return this.awaitingAnswer.splice(i, 1)[0]!.request;
  }

  /** The leader these went to is gone: hands them all back. */
  abandonAwaiting(): HeldRequest[] {
    return this.awaitingAnswer.splice(0).map((w) => w.request);
  }

  /** Advances the clocks; returns the requests that waited `limit` ticks, with why. */
  tick(limit: number): { request: HeldRequest; reason: string }[] {
    const expired: { request: HeldRequest; reason: string }[] = [];
    for (const [list, reason] of [
      [this.waitingForLeader, 'no leader was found in time'],
      [this.awaitingAnswer, 'outcome unknown: the leader did not answer in time'],
    ] as const) {
      for (let i = 0; i < list.length; ) {
        const w = list[i]!;
        if (++w.elapsed >= limit) {
          list.splice(i, 1);
          expired.push({ request: w.request, reason });
        } else i++;
      }
    }
    return expired;
  }
}
