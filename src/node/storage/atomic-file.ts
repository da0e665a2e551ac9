// Replaces a small file all at once: temp file, fsync, rename over the old one, fsync the directory.

import { join } from 'node:path';
import { StorageError } from './storage-error.js';
import { writeAll, type StorageFs } from './storage-fs.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Makes a rename or a new file in `dir` survive a power cut. */
export async function syncDir(fsx: StorageFs, dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await fsx.open(dir, 'r');
    await fsx.fsync(fd);
  } catch (err) {
    throw StorageError.fromIo('fsync of directory', dir, err);
  } finally {
    if (fd !== undefined) await fsx.close(fd).catch(() => undefined);
  }
}

/**
 * Readers see either the old content or all of the new, never a mix. With `durable`, the new
 * content is on disk before this resolves. On failure the old file is untouched and the temp file
 * is removed (best effort; open() also sweeps leftovers).
 */
export async function writeFileAtomic(
  fsx: StorageFs,
  dir: string,
  name: string,
  parts: readonly Uint8Array[],
  durable: boolean,
): Promise<void> {
  const path = join(dir, name);
  const temp = `${path}.tmp`;
  let fd: number | undefined;
  try {
    fd = await fsx.open(temp, 'w', FILE_MODE);
    let position = 0;
    for (const part of parts) {
      await writeAll(fsx, fd, part, position);
      position += part.length;
    }
    if (durable) await fsx.fsync(fd);
    await fsx.close(fd);
    fd = undefined;
    await fsx.rename(temp, path);
  } catch (err) {
    if (fd !== undefined) await fsx.close(fd).catch(() => undefined);
    await fsx.unlink(temp).catch(() => undefined);
    throw StorageError.fromIo('writing', path, err);
  }
  if (durable) await syncDir(fsx, dir);
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** A small file's bytes, or null when it does not exist; any other failure is a StorageError. */
export async function readFileIfPresent(fsx: StorageFs, path: string): Promise<Buffer | null> {
  try {
    return await fsx.readFile(path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw StorageError.fromIo('reading', path, err);
  }
}
