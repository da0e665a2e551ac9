// The leader's view of one follower: how much of the log it holds and how fast to send it more.
import type { ElectionMode } from './types.js';

/**
 * probe: one append at a time until the follower's match is found (after a rejection or on election);
 * replicate: optimistic pipelining, bounded by the in-flight window;
 * snapshot: a snapshot is on its way, nothing else is sent until it is acknowledged or times out.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is outstanding, wait for its answer or the next heartbeat answer. */
  probeSent = false;
  /** In snapshot state: the index of the snapshot sent, and ticks spent waiting for it. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** Heard from in the current CheckQuorum window (thesis 6.2). */
  recentActive = false;
  /** The leader's tick count when this follower was last heard from (for status, not for CheckQuorum). */
  lastHeard = 0;
  /** Last index of each append in flight, oldest first (replicate state only). */
  readonly inflight: number[] = [];

  constructor(lastIndex: number) {
    this.next = lastIndex + 1;
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot, so probing starts just past it.
    const from = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) : this.match;
    this.state = 'probe';
    this.next = from + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflight.length = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflight.length = 0;
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotTicks = 0;
    this.inflight.length = 0;
  }

  /** An acknowledgement up to `index`; false when it tells nothing new (stale or duplicated). */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    while (this.inflight.length > 0 && this.inflight[0]! <= index) this.inflight.shift();
    return updated;
  }

  /**
   * A rejection of the append whose previous index was `rejected`; `hint` is where the follower's log
   * may match (fast back-off, thesis 5.3). False when the rejection is stale.
   */
  maybeDecrease(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint) + 1, this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(maxInflight: number): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflight.length >= maxInflight;
      case 'snapshot':
        return true;
    }
  }

  /** Records an append carrying entries up to `lastIndex` (or none when `lastIndex` is undefined). */
  sent(lastIndex: number | undefined): void {
    if (this.state === 'replicate') {
      if (lastIndex !== undefined) {
        this.next = lastIndex + 1;
        this.inflight.push(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }
}

/** What a member has told us about itself; carried on every message it sends. */
export interface PeerInfo {
  mode: ElectionMode;
  supportedCodeVersion: number;
}
