// The Raft node's durable state in one data dir: lock, identity, hard state, snapshot and journal, opened by recovery.

import { join } from 'node:path';
import type { Entry, HardState, NodeId, Snapshot } from '../../raft/types.js';
import { DIR_MODE, isNotFound, syncDir } from './atomic-file.js';
import { DataDirLock } from './data-dir-lock.js';
import { readDrainRecord, removeDrainRecord, writeDrainRecord, type DrainRecord } from './drain-file.js';
import { FaultInjectingFs, type FaultPlan } from './fault-injecting-fs.js';
import { readHardState, writeHardState } from './hard-state-file.js';
import { claimIdentity } from './identity-file.js';
import { recoverJournal } from './journal-recovery.js';
import { listSegments } from './journal-segments.js';
import { JournalWriter } from './journal-writer.js';
import { parseSnapshotFileName, readSnapshotFile, snapshotFileName, writeSnapshotFile } from './snapshot-file.js';
import { StorageError } from './storage-error.js';
import { nodeStorageFs, type StorageFs } from './storage-fs.js';

export type FsyncPolicy = 'always' | 'never';

export interface NodeStorageOptions {
  /** The data dir; created with mode 0700 if missing. */
  dir: string;
  /** This member's id: recorded on first open, required to match afterwards. */
  self: NodeId;
  /**
   * `always` (default): every append, truncate, hard state and snapshot is on disk before its
   * promise resolves. `never`: the OS decides; a crash of the machine can lose acknowledged
   * writes (a crash of the process alone cannot). Only for tests and benchmarks.
   */
  fsync?: FsyncPolicy;
  /** Replaces the file system, e.g. with a FaultInjectingFs in tests. */
  fs?: StorageFs;
  /**
   * Takes the data dir for this process (default: DataDirLock's pid file on the real disk). The
   * simulator, where no process owns the simulated dir, passes its own.
   */
  lockDir?: (dir: string) => Promise<DirLock>;
  /** Fault injection for end-to-end tests of a real process (syncobj-node --fault-disk-full-after-bytes N). */
  faults?: FaultPlan;
  /** Size at which the journal starts a new segment (default 64 MiB). */
  segmentMaxBytes?: number;
  /**
   * When true, a hard state change that only moves `commit` is replaced atomically but not
   * fsynced (about 0.5 ms instead of 3 ms here). Safe for Raft: commitIndex is volatile state in
   * the paper (Figure 2), and etcd's MustSync skips the sync for the same case; term and vote
   * changes are always synced. Default false: every hard state is durable when the call resolves.
   */
  lazyCommitIndex?: boolean;
}

/** What the Raft core restarts from. */
export interface RecoveredState {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous from snapshot index + 1. Entry data are views into the read buffers. */
  entries: Entry[];
  /** Lines worth logging: a torn tail that was cut, leftovers swept. */
  notices: string[];
  /** Set when an operator drained the member: it restarts in `voter` election mode. */
  drain: DrainRecord | null;
}

/** What NodeStorage needs of a data dir lock. */
export interface DirLock {
  release(): Promise<void>;
}

const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
const DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024;

export class NodeStorage {
  /** Calls run one at a time in call order: an append never races a truncate or a compaction. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #hardState: HardState;
  #snapshotName: string | undefined;

  private constructor(
    private readonly fsx: StorageFs,
    readonly dir: string,
    private readonly durable: boolean,
    private readonly lazyCommitIndex: boolean,
    private readonly lock: DirLock,
    private readonly journal: JournalWriter,
    hardState: HardState,
    snapshotName: string | undefined,
  ) {
    this.#hardState = hardState;
    this.#snapshotName = snapshotName;
  }

  /**
   * Locks the dir, checks its owner, and recovers: the hard state, the newest snapshot, and the
   * journal replayed on top of it. A torn last record is cut (and reported in `notices`); any
   * other damage rejects with a StorageError of kind 'corrupt' naming the file and byte offset.
   */
  static async open(options: NodeStorageOptions): Promise<{ storage: NodeStorage; recovered: RecoveredState }> {
    const base = options.fs ?? nodeStorageFs;
    const fsx = options.faults?.diskFullAfterBytes !== undefined ? new FaultInjectingFs(base, options.faults) : base;
    const durable = (options.fsync ?? 'always') === 'always';
    const dir = options.dir;
    try {
      await fsx.mkdir(dir, DIR_MODE);
    } catch (err) {
      throw StorageError.fromIo('creating data dir', dir, err);
    }
    const lock = await (options.lockDir ?? DataDirLock.acquire)(dir);
    try {
      await claimIdentity(fsx, dir, options.self, durable);
      const notices: string[] = [];
      let names: string[];
      try {
        names = await fsx.readdir(dir);
      } catch (err) {
        throw StorageError.fromIo('listing', dir, err);
      }
      for (const name of names.filter((n) => n.endsWith('.tmp'))) {
        await fsx.unlink(join(dir, name)).catch(() => undefined);
        notices.push(`${join(dir, name)}: removed a temp file left by an interrupted write`);
      }
      const snapshotIndexes = names
        .map(parseSnapshotFileName)
        .filter((i): i is number => i !== undefined)
        .sort((a, b) => a - b);
      const newest = snapshotIndexes[snapshotIndexes.length - 1];
      const snapshot = newest === undefined ? null : await readSnapshotFile(fsx, join(dir, snapshotFileName(newest)));
      for (const older of snapshotIndexes.slice(0, -1)) {
        await fsx.unlink(join(dir, snapshotFileName(older))).catch(() => undefined);
      }
      const hardState = (await readHardState(fsx, dir)) ?? { ...EMPTY_HARD_STATE };
      const drain = await readDrainRecord(fsx, dir);
      const snapshotIndex = snapshot?.meta.index ?? 0;
      const segments = listSegments(names);
      const journal = await recoverJournal(fsx, dir, segments, snapshotIndex);
      notices.push(...journal.notices);
      const writer = await JournalWriter.open(
        fsx,
        dir,
        segments,
        { tailValidBytes: journal.tailValidBytes, lastIndex: journal.lastIndex, snapshotIndex },
        { durable, segmentMaxBytes: options.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES },
      );
      const storage = new NodeStorage(fsx, dir, durable, options.lazyCommitIndex ?? false, lock, writer, hardState, newest === undefined ? undefined : snapshotFileName(newest));
      return { storage, recovered: { hardState, snapshot, entries: journal.entries, notices, drain } };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Index of the last entry (or of the snapshot, when the log above it is empty). */
  get lastIndex(): number {
    return this.journal.lastIndex;
  }

  get hardState(): HardState {
    return { ...this.#hardState };
  }

  /** Appends with one write (and one fdatasync under `always`). A first index <= lastIndex replaces the tail from there. */
  append(entries: readonly Entry[]): Promise<void> {
    return this.#serialize(() => this.journal.append(entries));
  }

  /** Drops entries with index >= fromIndex (a Raft log conflict). */
  truncateSuffix(fromIndex: number): Promise<void> {
    return this.#serialize(() => this.journal.truncateSuffix(fromIndex));
  }

  /** Replaces the hard state atomically; durable before it resolves under `always` (see lazyCommitIndex). Skips the write if nothing changed. */
  saveHardState(state: HardState): Promise<void> {
    return this.#serialize(async () => {
      const current = this.#hardState;
      const sameVote = current.term === state.term && current.vote === state.vote;
      if (sameVote && current.commit === state.commit) return;
      await writeHardState(this.fsx, this.dir, state, this.durable && !(sameVote && this.lazyCommitIndex));
      this.#hardState = { term: state.term, vote: state.vote, commit: state.commit };
    });
  }

  /** The order a Raft Ready batch needs: entries, then hard state, both durable before it resolves. */
  async persist(batch: { entries?: readonly Entry[]; hardState?: HardState }): Promise<void> {
    if (batch.entries !== undefined && batch.entries.length > 0) await this.append(batch.entries);
    if (batch.hardState !== undefined) await this.saveHardState(batch.hardState);
  }

  /** Records the drain durably (under `always`); it holds until clearDrain. */
  saveDrain(record: DrainRecord): Promise<void> {
    return this.#serialize(() => writeDrainRecord(this.fsx, this.dir, record, this.durable));
  }

  clearDrain(): Promise<void> {
    return this.#serialize(() => removeDrainRecord(this.fsx, this.dir, this.durable));
  }

  /**
   * Writes the snapshot atomically, then compacts: entries <= its index are dropped from the
   * journal (whole segments deleted), and the previous snapshot file is removed. Entries above
   * the index stay. To discard a conflicting log after installing a leader's snapshot, call
   * truncateSuffix(index + 1) afterwards.
   */
  saveSnapshot(snapshot: Snapshot): Promise<void> {
    return this.#serialize(async () => {
      const current = this.#snapshotName === undefined ? 0 : (parseSnapshotFileName(this.#snapshotName) ?? 0);
      if (snapshot.meta.index < current) {
        throw new StorageError(
          `cannot save a snapshot at index ${snapshot.meta.index}: the one on disk is already at ${current}`,
          'invalid',
          join(this.dir, this.#snapshotName!),
        );
      }
      const name = await writeSnapshotFile(this.fsx, this.dir, snapshot, this.durable);
      const previous = this.#snapshotName;
      this.#snapshotName = name;
      await this.journal.compact(snapshot.meta.index);
      if (previous !== undefined && previous !== name) {
        await this.fsx.unlink(join(this.dir, previous)).catch((err: unknown) => {
          if (!isNotFound(err)) throw StorageError.fromIo('deleting old snapshot', join(this.dir, previous), err);
        });
        if (this.durable) await syncDir(this.fsx, this.dir);
      }
    });
  }

  /** Waits for pending calls, closes the journal and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    await this.journal.close();
    await this.lock.release();
  }

  #serialize<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StorageError(`storage in ${this.dir} is closed`, 'invalid', this.dir));
    }
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
