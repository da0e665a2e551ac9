// The configuration in force: the membership and the enabled code version, read from the latest log entries over the snapshot's.
import { decodeCodeVersion } from './code-version.js';
import type { RaftLog } from './log.js';
import { decodeMembership, type Membership } from './membership.js';
import type { SnapshotMeta } from './types.js';

/**
 * The membership of the latest config entry in the log is used as soon as it is appended (thesis 4.1),
 * committed or not; the code version is enabled only once its entry commits (as PySyncObj does). What
 * the snapshot says applies until a later entry changes it.
 */
export class Configuration {
  #membership: Membership;
  /** Where the membership in force comes from: its config entry, or the snapshot. */
  #index = 0;
  #baseMembership: Membership;
  #baseCodeVersion: number;
  #enabledCodeVersion: number;

  constructor(
    private readonly log: RaftLog,
    snapshot: SnapshotMeta | null,
    initial: Membership,
  ) {
    this.#baseMembership = snapshot ? { voters: [...snapshot.voters], learners: [...snapshot.learners] } : { voters: [...initial.voters], learners: [...initial.learners] };
    this.#baseCodeVersion = snapshot?.codeVersion ?? 0;
    this.#membership = this.#baseMembership;
    this.refresh();
    this.#enabledCodeVersion = this.codeVersionAt(log.committed);
  }

  get membership(): Membership {
    return this.#membership;
  }

  get enabledCodeVersion(): number {
    return this.#enabledCodeVersion;
  }

  /** A membership change is appended but not committed yet: the next one must wait (one at a time). */
  changePending(): boolean {
    return this.#index > this.log.committed;
  }

  /** Re-reads the membership after the log's tail changed (appended, truncated or replaced). */
  refresh(): void {
    const { membership, index } = this.at(this.log.lastIndex());
    this.#membership = membership;
    this.#index = index;
  }

  /** The latest membership at or before `index`, and where it came from. */
  at(index: number): { membership: Membership; index: number } {
    for (let i = Math.min(index, this.log.lastIndex()); i > this.log.snapshotIndex; i--) {
      const e = this.log.entry(i)!;
      if (e.kind === 'config') return { membership: decodeMembership(e.data), index: i };
    }
    return { membership: this.#baseMembership, index: this.log.snapshotIndex };
  }

  codeVersionAt(index: number): number {
    for (let i = Math.min(index, this.log.lastIndex()); i > this.log.snapshotIndex; i--) {
      const e = this.log.entry(i)!;
      if (e.kind === 'version') return decodeCodeVersion(e.data);
    }
    return this.#baseCodeVersion;
  }

  /** Entries (from, to] committed: only they can change the enabled version. */
  committed(from: number, to: number): void {
    for (let i = from + 1; i <= to; i++) {
      const e = this.log.entry(i);
      if (e?.kind === 'version') this.#enabledCodeVersion = decodeCodeVersion(e.data);
    }
  }

  /** The log was replaced by a snapshot from the leader. */
  restored(meta: SnapshotMeta): void {
    this.#baseMembership = { voters: [...meta.voters], learners: [...meta.learners] };
    this.#baseCodeVersion = meta.codeVersion;
    this.#enabledCodeVersion = meta.codeVersion;
    this.refresh();
  }

  /** What a snapshot through `index` must record: the configuration and code version in force there. */
  snapshotMeta(index: number): SnapshotMeta {
    const { membership } = this.at(index);
    return {
      index,
      term: this.log.term(index)!,
      voters: [...membership.voters],
      learners: [...membership.learners],
      codeVersion: this.codeVersionAt(index),
    };
  }

  /** The log was compacted into a snapshot described by `meta`. */
  compacted(meta: SnapshotMeta): void {
    this.#baseMembership = { voters: meta.voters, learners: meta.learners };
    this.#baseCodeVersion = meta.codeVersion;
    if (this.#index <= meta.index) this.#index = meta.index;
  }
}
