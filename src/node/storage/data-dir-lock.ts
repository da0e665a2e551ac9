// One node per data dir: an exclusive pid lock file, taken over only from a process that no longer exists.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE } from './atomic-file.js';
import { StorageError } from './storage-error.js';

export const LOCK_FILE = 'LOCK';

/**
 * Lock files this process holds. A LOCK naming our own pid that is not in here was left by an
 * earlier process that had the same pid (common in containers, where the node is often pid 1).
 */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private constructor(readonly path: string) {}

  /**
   * Writes our pid to a private file and hard-links it to LOCK: the link either fails (EEXIST) or
   * creates a LOCK that already holds the pid, so nobody ever sees a half-written lock. If LOCK
   * names a live process (this one included: a second open in the same process is refused too),
   * fails with a StorageError naming the dir and the pid; a lock left by a dead process is replaced.
   */
  static async acquire(dir: string): Promise<DataDirLock> {
    const path = join(dir, LOCK_FILE);
    const mine = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await fs.writeFile(mine, `${process.pid}\n`, { mode: FILE_MODE });
    } catch (err) {
      throw StorageError.fromIo('creating lock file', mine, err);
    }
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await fs.link(mine, path);
          await sweepDeadAttempts(dir);
          heldHere.add(path);
          return new DataDirLock(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw StorageError.fromIo('creating lock file', path, err);
        }
        const holder = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
        const ours = holder === process.pid;
        if (Number.isSafeInteger(holder) && holder > 0 && (ours ? heldHere.has(path) : isAlive(holder))) {
          throw new StorageError(
            `data dir ${dir} is in use by process ${holder} (lock file ${path}); stop that node first, or use another --data-dir`,
            'locked',
            path,
          );
        }
        // The holder died without cleaning up: take the lock over.
        await fs.unlink(path).catch(() => undefined);
      }
      throw new StorageError(`could not take the lock on data dir ${dir}: ${path} keeps reappearing; is another node starting?`, 'locked', path);
    } finally {
      await fs.unlink(mine).catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    heldHere.delete(this.path);
    await fs.unlink(this.path).catch(() => undefined);
  }
}

/** Removes private pid files left by openers that crashed between writing and unlinking them. */
async function sweepDeadAttempts(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^LOCK\.(\d+)\.[0-9a-f]{8}$/.exec(name);
    if (match !== null && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) {
      await fs.unlink(join(dir, name)).catch(() => undefined);
    }
  }
}
