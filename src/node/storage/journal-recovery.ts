// Replays journal segments into the log the Raft core restarts from, cutting a torn last record and refusing any other damage.

import { join } from 'node:path';
import type { Entry } from '../../raft/types.js';
import { scanRecords, type JournalRecord } from './journal-record.js';
import type { SegmentInfo } from './journal-segments.js';
import { StorageError } from './storage-error.js';
import type { StorageFs } from './storage-fs.js';

export interface RecoveredJournal {
  /** Entries above the snapshot index, contiguous. */
  entries: Entry[];
  /** Bytes of the last segment that hold valid records; the writer cuts the file there. */
  tailValidBytes: number;
  /** Last index of the log (the snapshot index when no entry is above it). */
  lastIndex: number;
  notices: string[];
}

function corrupt(path: string, offset: number, reason: string): StorageError {
  return new StorageError(
    `${path} is corrupt at byte ${offset}: ${reason}; refusing to start (restore the data dir from a backup, or remove it and rejoin as a new member)`,
    'corrupt',
    path,
    { offset },
  );
}

export async function recoverJournal(
  fsx: StorageFs,
  dir: string,
  segments: readonly SegmentInfo[],
  snapshotIndex: number,
): Promise<RecoveredJournal> {
  const entries: Entry[] = [];
  const notices: string[] = [];
  /** Last index seen so far; undefined until the first record, which may start anywhere (older segments were compacted). */
  let last: number | undefined;
  let tailValidBytes = 0;

  const cut = (fromIndex: number): void => {
    const first = entries[0]?.index;
    if (first !== undefined) entries.length = Math.max(0, Math.min(entries.length, fromIndex - first));
    last = fromIndex - 1;
  };

  for (let i = 0; i < segments.length; i++) {
    const path = join(dir, segments[i]!.name);
    let buf: Buffer;
    try {
      buf = await fsx.readFile(path);
    } catch (err) {
      throw StorageError.fromIo('reading', path, err);
    }
    const apply = (record: JournalRecord, offset: number): void => {
      if (record.type === 'truncate') {
        cut(record.fromIndex);
        return;
      }
      const batch = record.entries;
      if (batch.length === 0) return;
      const firstIndex = batch[0]!.index;
      if (last !== undefined && firstIndex > last + 1) {
        // A gap the snapshot covers is a compaction whose deletions did not all happen: skip what lies below it.
        if (firstIndex > snapshotIndex + 1) {
          throw corrupt(path, offset, `entries start at index ${firstIndex} but the log ends at ${last}`);
        }
        entries.length = 0;
      }
      if (last !== undefined && firstIndex <= last) cut(firstIndex);
      for (const entry of batch) entries.push(entry);
      last = batch[batch.length - 1]!.index;
    };
    const scan = scanRecords(buf, apply);
    const isLast = i === segments.length - 1;
    if (scan.stop !== undefined) {
      if (scan.stop.kind === 'torn' && isLast) {
        notices.push(
          `${path}: dropped a torn last record at byte ${scan.stop.offset} (${scan.stop.reason}); ${buf.length - scan.stop.offset} bytes cut, the write it belonged to was never acknowledged`,
        );
      } else {
        const where = scan.stop.kind === 'torn' ? ' in a segment that is not the last' : '';
        throw corrupt(path, scan.stop.offset, `${scan.stop.reason}${where}`);
      }
    }
    if (isLast) tailValidBytes = scan.validBytes;
  }

  const firstKept = entries.findIndex((entry) => entry.index > snapshotIndex);
  const kept = firstKept < 0 ? [] : firstKept === 0 ? entries : entries.slice(firstKept);
  if (kept.length > 0 && kept[0]!.index !== snapshotIndex + 1) {
    const path = join(dir, segments[0]!.name);
    throw corrupt(path, 0, `the journal starts at index ${kept[0]!.index} but the snapshot ends at ${snapshotIndex}: entries are missing`);
  }
  const lastIndex = kept.length > 0 ? kept[kept.length - 1]!.index : snapshotIndex;
  return { entries: kept, tailValidBytes, lastIndex, notices };
}
