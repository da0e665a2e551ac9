// A StorageFs that fails on purpose: disk full after N bytes (a node flag for e2e tests), or the next write/fsync (unit tests).

import type { StorageFs } from './storage-fs.js';

function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EIO: 'i/o error' };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'injected failure'}, ${syscall}`), {
    code,
    syscall,
    errno: code === 'ENOSPC' ? -28 : -5,
  });
}

export interface FaultPlan {
  /**
   * Journal, snapshot and hard-state writes together may write this many bytes; the write that
   * crosses the limit writes the bytes up to it (a short write), and every later write fails with
   * ENOSPC, as a full disk does. Wire the node's `--fault-disk-full-after-bytes` here.
   */
  diskFullAfterBytes?: number;
}

export class FaultInjectingFs implements StorageFs {
  #written = 0;
  #failWrite: { code: string; partialBytes: number } | undefined;
  #failFsync: string | undefined;
  #failRename: string | undefined;

  constructor(
    private readonly base: StorageFs,
    private readonly plan: FaultPlan = {},
  ) {}

  /** The next write writes `partialBytes` (default 0) and then fails with `code`. */
  failNextWrite(code = 'EIO', partialBytes = 0): void {
    this.#failWrite = { code, partialBytes };
  }

  failNextFsync(code = 'EIO'): void {
    this.#failFsync = code;
  }

  failNextRename(code = 'EIO'): void {
    this.#failRename = code;
  }

  get bytesWritten(): number {
    return this.#written;
  }

  async write(fd: number, data: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const planned = this.#failWrite;
    if (planned !== undefined) {
      this.#failWrite = undefined;
      const partial = Math.min(planned.partialBytes, length);
      if (partial > 0) await this.base.write(fd, data, offset, partial, position);
      throw errnoError(planned.code, 'write');
    }
    const limit = this.plan.diskFullAfterBytes;
    if (limit !== undefined && this.#written + length > limit) {
      const room = limit - this.#written;
      if (room <= 0) throw errnoError('ENOSPC', 'write');
      const n = await this.base.write(fd, data, offset, room, position);
      this.#written += n;
      return n;
    }
    const n = await this.base.write(fd, data, offset, length, position);
    this.#written += n;
    return n;
  }

  async fsync(fd: number): Promise<void> {
    this.#checkFsync();
    return this.base.fsync(fd);
  }

  async fdatasync(fd: number): Promise<void> {
    this.#checkFsync();
    return this.base.fdatasync(fd);
  }

  async rename(from: string, to: string): Promise<void> {
    const code = this.#failRename;
    if (code !== undefined) {
      this.#failRename = undefined;
      throw errnoError(code, 'rename');
    }
    return this.base.rename(from, to);
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.base.mkdir(path, mode);
  }
  open(path: string, flags: string, mode?: number): Promise<number> {
    return this.base.open(path, flags, mode);
  }
  ftruncate(fd: number, length: number): Promise<void> {
    return this.base.ftruncate(fd, length);
  }
  close(fd: number): Promise<void> {
    return this.base.close(fd);
  }
  readFile(path: string): Promise<Buffer> {
    return this.base.readFile(path);
  }
  unlink(path: string): Promise<void> {
    return this.base.unlink(path);
  }
  readdir(path: string): Promise<string[]> {
    return this.base.readdir(path);
  }

  #checkFsync(): void {
    const code = this.#failFsync;
    if (code !== undefined) {
      this.#failFsync = undefined;
      throw errnoError(code, 'fsync');
    }
  }
}

/** Environment variable an end-to-end harness can set on a real node process (see faultPlanFromEnv). */
export const DISK_FULL_ENV = 'SYNCOBJ_FAULT_DISK_FULL_AFTER_BYTES';

/** The fault plan named by the environment, or undefined when none is set. Meant for test harnesses only. */
export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan | undefined {
  const raw = env[DISK_FULL_ENV];
  if (raw === undefined || raw === '') return undefined;
  const bytes = Number(raw);
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new Error(`${DISK_FULL_ENV} must be a byte count, got ${JSON.stringify(raw)}`);
  }
  return { diskFullAfterBytes: bytes };
}
