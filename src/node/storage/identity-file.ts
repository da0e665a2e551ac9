// Records which member owns a data dir, so a node started with another --self cannot adopt someone else's log.

import { join } from 'node:path';
import type { NodeId } from '../../raft/types.js';
import { readFileIfPresent, writeFileAtomic } from './atomic-file.js';
import { StorageError } from './storage-error.js';
import type { StorageFs } from './storage-fs.js';

export const IDENTITY_FILE = 'IDENTITY';

/** Writes the identity on first use; afterwards refuses any other member id. */
export async function claimIdentity(fsx: StorageFs, dir: string, self: NodeId, durable: boolean): Promise<void> {
  const path = join(dir, IDENTITY_FILE);
  const raw = await readFileIfPresent(fsx, path);
  if (raw === null) {
    await writeFileAtomic(fsx, dir, IDENTITY_FILE, [Buffer.from(`${JSON.stringify({ member: self })}\n`)], durable);
    return;
  }
  let owner: unknown;
  try {
    owner = (JSON.parse(raw.toString('utf8')) as { member?: unknown }).member;
  } catch {
    owner = undefined;
  }
  if (typeof owner !== 'string') {
    throw new StorageError(`${path} is corrupt at byte 0: no member id; refusing to guess who owns ${dir}`, 'corrupt', path, { offset: 0 });
  }
  if (owner !== self) {
    throw new StorageError(
      `data dir ${dir} belongs to member ${owner}, not ${self}; start with --self ${owner} or point --data-dir elsewhere`,
      'identity',
      path,
    );
  }
}
