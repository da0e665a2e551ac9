// The in-memory Raft log: entries after the last snapshot, which of them are durable, committed and applied.
import { RaftInvariantError } from './errors.js';
import type { Entry, Snapshot } from './types.js';

/**
 * Everything after `stableIndex` (and a received snapshot not yet persisted) is the unstable part: it
 * exists only in memory, goes out in the next Ready, and becomes stable when the shell calls advance.
 * The invariants are: applied <= committed <= lastIndex, snapshotIndex <= committed (applied catches up with
 * a received snapshot once the shell has loaded it), and nothing committed is ever
 * truncated (thesis 3.5, Log Matching; the divergence of PySyncObj issue 201 broke the latter).
 */
export class RaftLog {
  #snapshotIndex: number;
  #snapshotTerm: number;
  /** entries[i] has index snapshotIndex + 1 + i. */
  #entries: Entry[];
  #stableIndex: number;
  #committed: number;
  /** Applied by the shell, as reported by advance. */
  #applied: number;
  /** Handed to the shell for applying in a Ready that is not advanced yet. */
  #applying: number;
  /** A snapshot received from the leader that the shell has not persisted yet. */
  #unstableSnapshot: Snapshot | null = null;

  constructor(snapshotIndex: number, snapshotTerm: number, entries: Entry[], committed: number, applied: number) {
    this.#snapshotIndex = snapshotIndex;
    this.#snapshotTerm = snapshotTerm;
    this.#entries = entries.filter((e) => e.index > snapshotIndex);
    this.#entries.forEach((e, i) => {
      if (e.index !== snapshotIndex + 1 + i) throw new RaftInvariantError(`restored log is not contiguous at index ${e.index}`);
    });
    this.#stableIndex = this.lastIndex();
    // Whatever the shell has applied was committed, even if its persisted commit index lags (it is volatile).
    this.#committed = Math.min(Math.max(committed, snapshotIndex, applied), this.lastIndex());
    this.#applied = Math.min(Math.max(applied, snapshotIndex), this.#committed);
    this.#applying = this.#applied;
  }

  get snapshotIndex(): number {
    return this.#snapshotIndex;
  }

  /** Entries held after the snapshot. */
  get length(): number {
    return this.#entries.length;
  }

  /** The last index known durable: the leader counts its own copy towards a quorum only up to here. */
  get stableIndex(): number {
    return this.#stableIndex;
  }

  get committed(): number {
    return this.#committed;
  }

  get applied(): number {
    return this.#applied;
  }

  get unstableSnapshot(): Snapshot | null {
    return this.#unstableSnapshot;
  }

  /** Committed entries not yet handed out for applying; from now on they count as being applied. */
  acceptApplying(): Entry[] {
    const entries = this.slice(this.#applying + 1, this.#committed + 1);
    if (entries.length > 0) this.#applying = entries[entries.length - 1]!.index;
    return entries;
  }

  /** The shell applied up to `index` (or loaded a snapshot through it). */
  appliedTo(index: number): void {
    if (index > this.#applied) this.#applied = index;
  }

  /** The Ready that handed entries out was never advanced: hand them out again. */
  abandonApplying(): void {
    this.#applying = this.#applied;
  }

  /** The shell persisted `snapshot`, the one received from the leader, and loaded it. */
  snapshotStable(snapshot: Snapshot): void {
    if (this.#unstableSnapshot === snapshot) this.#unstableSnapshot = null;
    this.appliedTo(snapshot.meta.index);
  }

  firstIndex(): number {
    return this.#snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.#snapshotIndex + this.#entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** The term of the entry at `index`, or undefined when it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.#snapshotIndex) return this.#snapshotTerm;
    if (index < this.#snapshotIndex || index > this.lastIndex()) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1]!.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.#snapshotIndex || index > this.lastIndex()) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** The election restriction (thesis 3.6.1): a candidate's log must be at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi), at least one when any, and no more than `maxBytes` of data after the first. */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = Math.max(lo, this.firstIndex()); i < Math.min(hi, this.lastIndex() + 1); i++) {
      const e = this.entry(i)!;
      bytes += e.data.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Appends entries starting at entries[0].index, dropping any conflicting suffix. Returns true when it truncated. */
  append(entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false;
    const from = entries[0]!.index;
    if (from <= this.#committed) throw new RaftInvariantError(`refusing to overwrite committed index ${from} (commit ${this.#committed})`);
    if (from > this.lastIndex() + 1) throw new RaftInvariantError(`gap in log: appending ${from} after ${this.lastIndex()}`);
    const truncated = from <= this.lastIndex();
    this.#entries.length = from - this.#snapshotIndex - 1;
    this.#entries.push(...entries);
    this.#stableIndex = Math.min(this.#stableIndex, from - 1);
    return truncated;
  }

  /**
   * The follower side of AppendEntries (thesis 3.5): if our log holds (prevIndex, prevTerm), append what is
   * new and return the index of the last entry the leader sent; otherwise undefined.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): { lastNew: number; truncated: boolean } | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = entries.findIndex((e) => !this.matchTerm(e.index, e.term));
    if (conflict < 0) return { lastNew, truncated: false };
    return { lastNew, truncated: this.append(entries.slice(conflict)) };
  }

  /**
   * The last index at or before `index` whose term is at most `term`: where a follower that rejected an
   * append may match, so the leader skips a whole term per round trip instead of one entry.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i >= this.#snapshotIndex && this.term(i)! > term) i--;
    // Below the snapshot our terms are unknown: the answer is then "before the snapshot", so the leader
    // sends the snapshot instead of probing the same index forever.
    return i;
  }

  commitTo(index: number): boolean {
    if (index <= this.#committed) return false;
    if (index > this.lastIndex()) throw new RaftInvariantError(`commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.#committed = index;
    return true;
  }

  unstableEntries(): Entry[] {
    return this.#entries.slice(this.#stableIndex - this.#snapshotIndex);
  }

  /** The shell made entries up to `index` durable; ignored when that entry was replaced meanwhile. */
  stableTo(index: number, term: number): void {
    if (this.matchTerm(index, term) && index > this.#stableIndex) this.#stableIndex = index;
  }

  /**
   * Forgets entries that never became durable (the write failed). Nothing of them was sent or applied,
   * so no other member can hold them; the commit index falls back to what this log can still prove.
   */
  dropUnstableEntries(): boolean {
    if (this.#stableIndex >= this.lastIndex()) return false;
    this.#entries.length = this.#stableIndex - this.#snapshotIndex;
    this.#committed = Math.min(this.#committed, this.lastIndex());
    return true;
  }

  /** Replaces the whole log with a snapshot from the leader (thesis 5.1). */
  restore(snapshot: Snapshot): void {
    this.#snapshotIndex = snapshot.meta.index;
    this.#snapshotTerm = snapshot.meta.term;
    this.#entries = [];
    this.#committed = snapshot.meta.index;
    // Applied moves when the shell has loaded the snapshot (advance); until then it is only handed out.
    this.#applying = snapshot.meta.index;
    this.#stableIndex = snapshot.meta.index;
    this.#unstableSnapshot = snapshot;
  }

  /** Drops entries up to `index`, which the shell has captured in a snapshot (thesis 5.1). */
  compact(index: number): void {
    if (index <= this.#snapshotIndex) throw new RaftInvariantError(`index ${index} is already compacted`);
    if (index > this.#applied) throw new RaftInvariantError(`cannot compact past the applied index ${this.#applied}`);
    this.#snapshotTerm = this.term(index)!;
    this.#entries = this.#entries.slice(index - this.#snapshotIndex);
    this.#snapshotIndex = index;
  }
}
