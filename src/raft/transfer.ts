// Leadership transfer as explicit state (thesis 3.10): who the target is, how far along, and every way it ends.
import type { Membership } from './membership.js';
import { isMember } from './membership.js';
import type { OutgoingMessage } from './messages.js';
import type { HeldRequest } from './proposals.js';
import type { Progress } from './progress.js';
import { failed, type Failure } from './results.js';
import { TRANSFER_OUTCOME_TIMEOUT, TRANSFER_TIMEOUT } from './timeouts.js';
import type { ElectionMode, NodeId } from './types.js';

/**
 * catchingUp: the leader sends the target whatever it lacks, holding new proposals meanwhile;
 * timeoutSent: the target has the whole log and was told to campaign at once;
 * awaitingOutcome: the old leader stepped down (the target's forced vote reached it) and waits to hear
 *   from the winner, because success is only reported once the target itself leads (PySyncObj PR 200).
 */
export type TransferPhase = 'catchingUp' | 'timeoutSent' | 'awaitingOutcome';

/** How a transfer ended, for whoever asked: who leads now. */
export type TransferOutcome = { ok: true; leader: NodeId } | (Failure & { leader: NodeId | null });

/** What the transfer needs from the core. */
export interface TransferHost {
  readonly id: NodeId;
  readonly electionTicks: number;
  term(): number;
  leader(): NodeId | null;
  lastIndex(): number;
  membership(): Membership;
  /** The election mode a member last told us, if it did. */
  modeOf(id: NodeId): ElectionMode | undefined;
  progress(id: NodeId): Progress | undefined;
  send(m: OutgoingMessage): void;
  sendAppend(to: NodeId): void;
  /** The transfer ended: answer the request that asked for it (null: the core's own, before removing itself). */
  finished(request: HeldRequest | null, outcome: TransferOutcome): void;
  /** The transfer failed while this node still leads: the requests held for it go on. */
  released(failure: Failure): void;
}

interface Transfer {
  target: NodeId;
  request: HeldRequest | null;
  /** The term the transfer started in; a leader of a later term ends it. */
  fromTerm: number;
  phase: TransferPhase;
  /** Ticks since the transfer started (or since the old leader stepped down, when awaiting the outcome). */
  elapsed: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A transfer request's data, as forwarded to the leader: the target, or 'auto'. */
export function encodeTransferTarget(target: NodeId | 'auto'): Uint8Array {
  return encoder.encode(JSON.stringify({ target }));
}

export function decodeTransferTarget(data: Uint8Array): NodeId | 'auto' {
  return (JSON.parse(decoder.decode(data)) as { target: NodeId | 'auto' }).target;
}

/** `candidate` and `manual` members can lead (manual through a transfer or a promote); `voter` never does. */
function ableToLead(mode: ElectionMode | undefined): boolean {
  return mode === 'candidate' || mode === 'manual';
}

export class TransferTracker {
  #current: Transfer | null = null;

  constructor(private readonly host: TransferHost) {}

  get active(): boolean {
    return this.#current !== null;
  }

  /** Whether the leader must hold proposals: the log must stop growing so the target can catch up. */
  get holdsProposals(): boolean {
    return this.#current !== null && this.#current.phase !== 'awaitingOutcome';
  }

  status(): { target: NodeId; phase: TransferPhase; elapsed: number } | null {
    const t = this.#current;
    return t ? { target: t.target, phase: t.phase, elapsed: t.elapsed } : null;
  }

  /** The member a transfer to `target` (or 'auto') would go to, or why there can be none; nothing starts yet. */
  choose(target: NodeId | 'auto'): { target: NodeId } | Failure {
    if (this.#current) return failed('transferInProgress', `a transfer to ${this.#current.target} is already in progress`);
    const resolved = target === 'auto' ? this.pickTarget() : target;
    if (resolved === null) return failed('ineligibleTarget', 'no other voter can take over leadership');
    const refusal = this.#refuseTarget(resolved);
    return refusal === null ? { target: resolved } : failed('ineligibleTarget', refusal);
  }

  /** Starts a transfer to a target already chosen. */
  start(target: NodeId, request: HeldRequest | null): void {
    this.#current = { target, request, fromTerm: this.host.term(), phase: 'catchingUp', elapsed: 0 };
    if (!this.maybeSendTimeoutNow(target)) this.host.sendAppend(target);
  }

  /** The most up-to-date voter that may lead; ties go to one heard from recently, then to the lowest id. */
  pickTarget(): NodeId | null {
    const { host } = this;
    let best: NodeId | null = null;
    let bestKey: [number, number] = [-1, -1];
    for (const id of [...host.membership().voters].sort()) {
      if (id === host.id || !ableToLead(host.modeOf(id))) continue;
      const pr = host.progress(id);
      const key: [number, number] = [pr?.match ?? 0, pr?.recentActive ? 1 : 0];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        best = id;
        bestKey = key;
      }
    }
    return best;
  }

  /** Whether a voter other than this member is known to be able to lead: a drain must leave one (issue 10). */
  anotherCanLead(): boolean {
    const { host } = this;
    return host.membership().voters.some((id) => id !== host.id && ableToLead(host.modeOf(id)));
  }

  /**
   * Once the target holds the whole log, tell it to campaign now. `repeat` sends TimeoutNow again: it
   * may have been lost, and repeating it is harmless (the target ignores a stale term).
   */
  maybeSendTimeoutNow(from: NodeId, repeat = false): boolean {
    const t = this.#current;
    const pr = this.host.progress(from);
    if (!t || t.target !== from || !pr || pr.match !== this.host.lastIndex()) return false;
    if (t.phase !== (repeat ? 'timeoutSent' : 'catchingUp')) return false;
    t.phase = 'timeoutSent';
    this.host.send({ type: 'timeoutNow', to: from });
    return true;
  }

  // ---- the exits ---------------------------------------------------------------------------------

  /** Exit (timeout): the target did not win within an election timeout while we still lead. */
  leaderTick(): void {
    const t = this.#current;
    if (t && ++t.elapsed >= TRANSFER_TIMEOUT * this.host.electionTicks) this.#abort(failed('transferTimedOut', 'the target did not win within an election timeout'));
  }

  /** Exit (no outcome): stepped down, but no leader was heard from in time. */
  followerTick(): void {
    const t = this.#current;
    if (t && t.phase === 'awaitingOutcome' && ++t.elapsed >= TRANSFER_OUTCOME_TIMEOUT * this.host.electionTicks) {
      this.#finish(failed('unknownOutcome', 'no leader was heard from after the transfer'));
    }
  }

  /** The target's forced vote deposed us: now learn who actually won. */
  leadershipLost(): void {
    const t = this.#current;
    if (!t) return;
    t.phase = 'awaitingOutcome';
    t.elapsed = 0;
  }

  /** Exit (success or another winner): a leader of a newer term was heard from. */
  heardFromLeader(from: NodeId): void {
    const t = this.#current;
    if (!t || t.phase !== 'awaitingOutcome' || this.host.term() <= t.fromTerm) return;
    if (from === t.target) this.#finish({ ok: true, leader: t.target });
    else this.#finish(failed('targetLost', `${from} won the election instead of ${t.target}`));
  }

  /** Exit (another winner): this node won the election itself. */
  becameLeader(): void {
    const t = this.#current;
    if (t && t.phase === 'awaitingOutcome') this.#finish(failed('targetLost', `${this.host.id} won the election instead of ${t.target}`));
  }

  /** Exit (invalidation): the target was removed or demoted. */
  votersChanged(voters: readonly NodeId[]): void {
    const t = this.#current;
    if (t && !voters.includes(t.target)) this.#abort(failed('ineligibleTarget', `${t.target} is no longer a voter`));
  }

  /** Exit (invalidation): the leader steps down for its own reasons (CheckQuorum, storage). */
  steppingDown(failure: Failure): void {
    if (this.#current) this.#finish(failure);
  }

  #refuseTarget(target: NodeId): string | null {
    const membership = this.host.membership();
    const { id } = this.host;
    if (target === id) return `${target} is the leader itself`;
    if (!isMember(membership, target)) return `${target} is not a member of the cluster`;
    if (!membership.voters.includes(target)) return `${target} is a learner, not a voter`;
    if (this.host.modeOf(target) === 'voter') return `${target} is in voter election mode and never becomes leader`;
    return null;
  }

  /** The transfer failed while we still lead: report it, then let what was held go on (clients see no failure). */
  #abort(failure: Failure): void {
    this.#finish(failure);
    this.host.released(failure);
  }

  #finish(outcome: { ok: true; leader: NodeId } | Failure): void {
    const t = this.#current;
    if (!t) return;
    this.#current = null;
    this.host.finished(t.request, outcome.ok ? outcome : { ...outcome, leader: this.host.leader() });
  }
}
