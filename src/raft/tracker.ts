// What the leader knows of the other members: each one's progress, the votes of an election, who was heard from lately, and what a quorum holds.
import { Progress, type PeerInfo } from './progress.js';
import { hasMajority, quorumIndex, voteOutcome, type VoteOutcome } from './quorum.js';
import { SNAPSHOT_TIMEOUT } from './timeouts.js';
import type { ElectionMode, NodeId } from './types.js';

/**
 * Owns the per-member state etcd keeps in its `tracker` package. Progress exists only while this node
 * leads (one per other member, a removed member's until its removal commits); votes only while it
 * campaigns; what members said about themselves (mode, supported version) whatever the role.
 */
export class ProgressTracker {
  readonly #progress = new Map<NodeId, Progress>();
  readonly #votes = new Map<NodeId, boolean>();
  readonly #peers = new Map<NodeId, PeerInfo>();
  /** Ticks since this node last became leader: the clock `lastHeard` is read against. */
  #leaderTicks = 0;

  constructor(
    private readonly self: NodeId,
    private readonly electionTicks: number,
  ) {}

  // ---- progress ----------------------------------------------------------------------------------

  /** A new leader starts every other member at its own last index, giving each one election timeout of grace before CheckQuorum judges them. */
  startLeading(members: readonly NodeId[], lastIndex: number): void {
    this.#progress.clear();
    this.#leaderTicks = 0;
    for (const id of members) {
      if (id === this.self) continue;
      const pr = new Progress(lastIndex);
      pr.recentActive = true;
      this.#progress.set(id, pr);
    }
  }

  stopLeading(): void {
    this.#progress.clear();
  }

  /** Starts tracking members a new configuration added. */
  track(members: readonly NodeId[], lastIndex: number): void {
    for (const id of members) if (id !== this.self && !this.#progress.has(id)) this.#progress.set(id, new Progress(lastIndex));
  }

  untrack(id: NodeId): void {
    this.#progress.delete(id);
  }

  get(id: NodeId): Progress | undefined {
    return this.#progress.get(id);
  }

  /** The members tracked, with their progress. */
  entries(): IterableIterator<[NodeId, Progress]> {
    return this.#progress.entries();
  }

  ids(): IterableIterator<NodeId> {
    return this.#progress.keys();
  }

  /** A message from `id` arrived: it is alive in this CheckQuorum window. */
  heardFrom(id: NodeId): void {
    const pr = this.#progress.get(id);
    if (!pr) return;
    pr.recentActive = true;
    pr.lastHeard = this.#leaderTicks;
  }

  /** One leader tick: a snapshot unacknowledged for too long is given up, and the member probed again. */
  tick(): void {
    this.#leaderTicks++;
    for (const pr of this.#progress.values()) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= SNAPSHOT_TIMEOUT * this.electionTicks) pr.becomeProbe();
    }
  }

  /** CheckQuorum (thesis 6.2): whether a majority was heard from in the window that ends now; starts the next window. */
  quorumActive(voters: readonly NodeId[]): boolean {
    const active = hasMajority(voters, (id) => id === this.self || this.#progress.get(id)?.recentActive === true);
    if (active) for (const pr of this.#progress.values()) pr.recentActive = false;
    return active;
  }

  /** For status: heard from during the last election timeout (CheckQuorum itself works per window). */
  recentlyHeard(id: NodeId): boolean {
    const pr = this.#progress.get(id);
    return pr !== undefined && this.#leaderTicks - pr.lastHeard < this.electionTicks;
  }

  /** The highest index a majority of voters holds, counting this leader's durable log as `ownStable`. */
  committedIndex(voters: readonly NodeId[], ownStable: number): number {
    return quorumIndex(voters, (id) => (id === this.self ? ownStable : this.#progress.get(id)?.match ?? 0));
  }

  // ---- votes -------------------------------------------------------------------------------------

  resetVotes(): void {
    this.#votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    this.#votes.set(id, granted);
  }

  voteResult(voters: readonly NodeId[]): VoteOutcome {
    return voteOutcome(voters, this.#votes);
  }

  // ---- what members say about themselves ---------------------------------------------------------

  notePeer(id: NodeId, mode: ElectionMode, supportedCodeVersion: number): void {
    const known = this.#peers.get(id);
    if (known?.mode === mode && known.supportedCodeVersion === supportedCodeVersion) return;
    this.#peers.set(id, { mode, supportedCodeVersion });
  }

  peer(id: NodeId): PeerInfo | undefined {
    return this.#peers.get(id);
  }
}
