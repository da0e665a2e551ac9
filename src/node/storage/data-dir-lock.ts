// One node per data dir: an exclusive pid lock file, taken over only from a process that no longer exists.

import fs from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE } from './atomic-file.js';
import { StorageError } from './storage-error.js';

export const LOCK_FILE = 'LOCK';

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
   * Creates LOCK with O_EXCL and writes our pid. If it exists and names a live process
   * (this one included: a second open in the same process is refused too), fails with a
   * StorageError naming the dir and the pid; a lock left by a dead process is replaced.
   */
  static async acquire(dir: string): Promise<DataDirLock> {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(path, 'wx', FILE_MODE);
        try {
          await handle.writeFile(`${process.pid}\n`);
        } finally {
          await handle.close();
        }
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw StorageError.fromIo('creating lock file', path, err);
      }
      const holder = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new StorageError(
          `data dir ${dir} is in use by process ${holder} (lock file ${path}); stop that node first, or use another --data-dir`,
          'locked',
          path,
        );
      }
      // A holder that died (or a lock file left empty by a crash mid-create): take the lock over.
      await fs.unlink(path).catch(() => undefined);
    }
    throw new StorageError(`could not take the lock on data dir ${dir}: ${path} keeps reappearing; another node is starting?`, 'locked', path);
  }

  async release(): Promise<void> {
    await fs.unlink(this.path).catch(() => undefined);
  }
}
