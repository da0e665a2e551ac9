// Appends records to the journal's last segment, one write per call, and rotates and deletes segments on compaction.

import { join } from 'node:path';
import type { Entry } from '../../raft/types.js';
import { FILE_MODE, syncDir } from './atomic-file.js';
import { MAX_RECORD_PAYLOAD_BYTES, encodeEntriesRecord, encodeTruncateRecord } from './journal-record.js';
import { segmentName, type SegmentInfo } from './journal-segments.js';
import { StorageError } from './storage-error.js';
import { writeAll, type StorageFs } from './storage-fs.js';

export interface JournalWriterOptions {
  /** fdatasync before append/truncate resolve. */
  durable: boolean;
  /** Start a new segment once the current one is this large. */
  segmentMaxBytes: number;
}

export class JournalWriter {
  #segments: SegmentInfo[];
  #fd: number;
  #size: number;
  #lastIndex: number;
  #snapshotIndex: number;
  /** Set when a failure left the file in a state we could not restore; reopening recovers. */
  #broken: StorageError | undefined;

  private constructor(
    private readonly fsx: StorageFs,
    private readonly dir: string,
    private readonly options: JournalWriterOptions,
    segments: SegmentInfo[],
    fd: number,
    size: number,
    lastIndex: number,
    snapshotIndex: number,
  ) {
    this.#segments = segments;
    this.#fd = fd;
    this.#size = size;
    this.#lastIndex = lastIndex;
    this.#snapshotIndex = snapshotIndex;
  }

  /** Opens the last segment (cutting a torn tail at `tailValidBytes`), or creates the first one. */
  static async open(
    fsx: StorageFs,
    dir: string,
    segments: SegmentInfo[],
    recovered: { tailValidBytes: number; lastIndex: number; snapshotIndex: number },
    options: JournalWriterOptions,
  ): Promise<JournalWriter> {
    const list = [...segments];
    let fd: number;
    let size: number;
    const tail = list[list.length - 1];
    if (tail === undefined) {
      const created = await createSegment(fsx, dir, recovered.lastIndex + 1);
      list.push(created.segment);
      fd = created.fd;
      size = 0;
    } else {
      const path = join(dir, tail.name);
      try {
        fd = await fsx.open(path, 'r+');
      } catch (err) {
        throw StorageError.fromIo('opening', path, err);
      }
      size = recovered.tailValidBytes;
      try {
        // Drop a torn tail now, so the next record does not land after garbage.
        await fsx.ftruncate(fd, size);
        await fsx.fsync(fd);
      } catch (err) {
        await fsx.close(fd).catch(() => undefined);
        throw StorageError.fromIo('cutting the torn tail of', path, err);
      }
    }
    return new JournalWriter(fsx, dir, options, list, fd, size, recovered.lastIndex, recovered.snapshotIndex);
  }

  get lastIndex(): number {
    return this.#lastIndex;
  }

  get segments(): readonly SegmentInfo[] {
    return this.#segments;
  }

  /**
   * Appends contiguous entries. If the first index is at or below the last index, the tail from
   * there is replaced in the same record (a Raft conflict), so the overwrite is all-or-nothing.
   */
  async append(entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    const path = this.#currentPath();
    if (first > this.#lastIndex + 1 || first <= this.#snapshotIndex) {
      throw new StorageError(
        `cannot append entries from index ${first}: the log holds ${this.#snapshotIndex + 1}..${this.#lastIndex}; a gap or an overwrite of compacted entries is a caller bug`,
        'invalid',
        path,
      );
    }
    for (let i = 0; i < entries.length; i++) {
      if (entries[i]!.data.length > MAX_RECORD_PAYLOAD_BYTES - 64) {
        throw new StorageError(`cannot append entry ${entries[i]!.index}: ${entries[i]!.data.length} bytes is above the ${MAX_RECORD_PAYLOAD_BYTES}-byte record limit`, 'invalid', path);
      }
      if (entries[i]!.index !== first + i) {
        throw new StorageError(`cannot append: entry ${i} has index ${entries[i]!.index}, expected ${first + i}`, 'invalid', path);
      }
    }
    if (this.#size >= this.options.segmentMaxBytes) await this.#rotate();
    await this.#write(encodeBatch(entries));
    this.#lastIndex = entries[entries.length - 1]!.index;
  }

  /** Drops entries >= fromIndex with a truncation record; recovery applies it in order. */
  async truncateSuffix(fromIndex: number): Promise<void> {
    if (fromIndex > this.#lastIndex) return;
    if (fromIndex <= this.#snapshotIndex) {
      throw new StorageError(
        `cannot truncate from index ${fromIndex}: entries up to ${this.#snapshotIndex} are in the snapshot`,
        'invalid',
        this.#currentPath(),
      );
    }
    await this.#write(encodeTruncateRecord(fromIndex));
    this.#lastIndex = fromIndex - 1;
  }

  /**
   * After a snapshot at `snapshotIndex` is durable: starts a new segment and deletes every older
   * segment whose entries are all <= snapshotIndex. The live entries of a segment are below the
   * next segment's first index, so that bound is known without reading it; names increase, so
   * the deleted segments are always a prefix.
   */
  async compact(snapshotIndex: number): Promise<void> {
    if (snapshotIndex <= this.#snapshotIndex) return;
    this.#snapshotIndex = snapshotIndex;
    if (snapshotIndex > this.#lastIndex) this.#lastIndex = snapshotIndex;
    await this.#rotate();
    const keep: SegmentInfo[] = [];
    const drop: SegmentInfo[] = [];
    for (let i = 0; i < this.#segments.length; i++) {
      const next = this.#segments[i + 1];
      if (next !== undefined && next.firstIndex - 1 <= snapshotIndex) drop.push(this.#segments[i]!);
      else keep.push(this.#segments[i]!);
    }
    for (const segment of drop) {
      const path = join(this.dir, segment.name);
      try {
        await this.fsx.unlink(path);
      } catch (err) {
        throw StorageError.fromIo('deleting compacted segment', path, err);
      }
    }
    this.#segments = keep;
    if (drop.length > 0 && this.options.durable) await syncDir(this.fsx, this.dir);
  }

  async close(): Promise<void> {
    await this.fsx.close(this.#fd).catch(() => undefined);
  }

  #currentPath(): string {
    return join(this.dir, this.#segments[this.#segments.length - 1]!.name);
  }

  async #write(record: Uint8Array): Promise<void> {
    const path = this.#currentPath();
    if (this.#broken !== undefined) {
      throw new StorageError(`journal ${path} is unusable after an earlier failure (${this.#broken.message}); restart the node to recover`, 'failed', path, {
        code: this.#broken.code,
        cause: this.#broken,
      });
    }
    const position = this.#size;
    try {
      await writeAll(this.fsx, this.#fd, record, position);
    } catch (err) {
      const error = StorageError.fromIo('appending to', path, err);
      try {
        // Cut the partial record off, so a later append cannot leave it in the middle of the journal.
        await this.fsx.ftruncate(this.#fd, position);
      } catch {
        this.#broken = error;
      }
      throw error;
    }
    this.#size += record.length;
    if (this.options.durable) {
      try {
        await this.fsx.fdatasync(this.#fd);
      } catch (err) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing written since is trustworthy.
        this.#broken = StorageError.fromIo('fdatasync of', path, err);
        throw this.#broken;
      }
    }
  }

  async #rotate(): Promise<void> {
    // An empty segment can take the next entries whatever its name says: names only bound older segments.
    if (this.#size === 0) return;
    const current = this.#segments[this.#segments.length - 1]!;
    // Names must increase (they order the segments) even after a conflict moved lastIndex back.
    const nextFirst = Math.max(this.#lastIndex + 1, current.firstIndex + 1);
    const oldPath = join(this.dir, current.name);
    try {
      // Always synced, whatever the policy: a torn record is only ever allowed in the last segment.
      await this.fsx.fdatasync(this.#fd);
      await this.fsx.close(this.#fd);
    } catch (err) {
      this.#broken = StorageError.fromIo('closing segment', oldPath, err);
      throw this.#broken;
    }
    const created = await createSegment(this.fsx, this.dir, nextFirst).catch((err: unknown) => {
      this.#broken = err as StorageError;
      throw err;
    });
    this.#segments.push(created.segment);
    this.#fd = created.fd;
    this.#size = 0;
  }
}

async function createSegment(fsx: StorageFs, dir: string, firstIndex: number): Promise<{ segment: SegmentInfo; fd: number }> {
  const name = segmentName(firstIndex);
  const path = join(dir, name);
  let fd: number;
  try {
    fd = await fsx.open(path, 'wx', FILE_MODE);
  } catch (err) {
    throw StorageError.fromIo('creating segment', path, err);
  }
  // The new name must be durable too, or a crash could lose the whole segment.
  await syncDir(fsx, dir);
  return { segment: { name, firstIndex }, fd };
}

/** One buffer for the whole batch, split into several records only if one would exceed the record limit. */
function encodeBatch(entries: readonly Entry[]): Uint8Array {
  let bytes = 0;
  for (const entry of entries) bytes += entry.data.length + 32;
  if (bytes < MAX_RECORD_PAYLOAD_BYTES) return encodeEntriesRecord(entries);
  const records: Buffer[] = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < entries.length; i++) {
    const cost = entries[i]!.data.length + 32;
    if (i > start && size + cost >= MAX_RECORD_PAYLOAD_BYTES) {
      records.push(encodeEntriesRecord(entries.slice(start, i)));
      start = i;
      size = 0;
    }
    size += cost;
  }
  records.push(encodeEntriesRecord(entries.slice(start)));
  return Buffer.concat(records);
}
