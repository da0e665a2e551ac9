// The file operations storage uses, as an interface, so tests and fault flags can stand in for the disk.

import fs from 'node:fs';
import { promisify } from 'node:util';

export interface StorageFs {
  mkdir(path: string, mode: number): Promise<void>;
  open(path: string, flags: string, mode?: number): Promise<number>;
  /** Positional write; may write fewer bytes than asked, like write(2). */
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

function write(fd: number, data: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, data, offset, length, position, (err, written) => (err ? reject(err) : resolve(written)));
  });
}

export const nodeStorageFs: StorageFs = {
  mkdir: async (path, mode) => {
    await fs.promises.mkdir(path, { recursive: true, mode });
  },
  open: promisify(fs.open) as (path: string, flags: string, mode?: number) => Promise<number>,
  write,
  fsync: promisify(fs.fsync),
  fdatasync: promisify(fs.fdatasync),
  ftruncate: promisify(fs.ftruncate) as (fd: number, length: number) => Promise<void>,
  close: promisify(fs.close),
  readFile: (path) => fs.promises.readFile(path),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  readdir: (path) => fs.promises.readdir(path),
};

/** Writes all of `data` at `position`, looping over short writes. */
export async function writeAll(fsx: StorageFs, fd: number, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const n = await fsx.write(fd, data, done, data.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}
