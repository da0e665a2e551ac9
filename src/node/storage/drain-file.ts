// Records that an operator drained this member (issue 10), and the election mode to return to on undrain.
// The file's presence is the drain: it outlives a restart, whatever --election-mode the node is started with.

import { join } from 'node:path';
import type { ElectionMode } from '../../raft/types.js';
import { isNotFound, readFileIfPresent, syncDir, writeFileAtomic } from './atomic-file.js';
import { StorageError } from './storage-error.js';
import type { StorageFs } from './storage-fs.js';

export const DRAIN_FILE = 'drained';

export interface DrainRecord {
  /** The mode before the drain; null when the file does not say (then undrain uses the configured mode). */
  before: ElectionMode | null;
}

const MODES: readonly string[] = ['candidate', 'voter', 'manual'];

export async function writeDrainRecord(fsx: StorageFs, dir: string, record: DrainRecord, durable: boolean): Promise<void> {
  await writeFileAtomic(fsx, dir, DRAIN_FILE, [Buffer.from(`${JSON.stringify({ before: record.before })}\n`)], durable);
}

/** null when the member is not drained. Any content counts as a drain, so an operator may drain a stopped member with touch(1). */
export async function readDrainRecord(fsx: StorageFs, dir: string): Promise<DrainRecord | null> {
  const raw = await readFileIfPresent(fsx, join(dir, DRAIN_FILE));
  if (raw === null) return null;
  let before: unknown;
  try {
    before = (JSON.parse(raw.toString('utf8')) as { before?: unknown }).before;
  } catch {
    before = null;
  }
  return { before: typeof before === 'string' && MODES.includes(before) ? (before as ElectionMode) : null };
}

export async function removeDrainRecord(fsx: StorageFs, dir: string, durable: boolean): Promise<void> {
  const path = join(dir, DRAIN_FILE);
  try {
    await fsx.unlink(path);
  } catch (err) {
    if (isNotFound(err)) return;
    throw StorageError.fromIo('deleting', path, err);
  }
  if (durable) await syncDir(fsx, dir);
}
