// Leadership transfer as explicit state (thesis 3.10): who the target is, how far along, and when to give up.
import type { RequestId } from './messages.js';
import type { NodeId } from './types.js';

/**
 * catchingUp: the leader sends the target whatever it lacks, holding new proposals meanwhile;
 * timeoutSent: the target has the whole log and was told to campaign at once;
 * awaitingOutcome: the old leader stepped down (the target's forced vote reached it) and waits to hear
 *   from the winner, because success is only reported once the target itself leads (PySyncObj PR 200).
 */
export type TransferPhase = 'catchingUp' | 'timeoutSent' | 'awaitingOutcome';

export interface Transfer {
  target: NodeId;
  requestId: RequestId | null;
  /** The term the transfer started in; a leader of a later term ends it. */
  fromTerm: number;
  phase: TransferPhase;
  /** Ticks since the transfer started (or since the old leader stepped down, when awaiting the outcome). */
  elapsed: number;
}

export class TransferTracker {
  current: Transfer | null = null;

  get active(): boolean {
    return this.current !== null;
  }

  /** Whether the leader must hold proposals: the log must stop growing so the target can catch up. */
  get holdsProposals(): boolean {
    return this.current !== null && this.current.phase !== 'awaitingOutcome';
  }

  start(target: NodeId, requestId: RequestId | null, term: number): void {
    this.current = { target, requestId, fromTerm: term, phase: 'catchingUp', elapsed: 0 };
  }

  finish(): Transfer | null {
    const done = this.current;
    this.current = null;
    return done;
  }
}
