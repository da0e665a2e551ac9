// The storage layer's one error type: what failed, on which path, with the errno or byte offset when there is one.

export type StorageErrorKind =
  /** A read, write, fsync, rename or unlink failed (ENOSPC, EIO, EACCES...). */
  | 'io'
  /** Another live process holds the data dir's lock. */
  | 'locked'
  /** The data dir belongs to another member. */
  | 'identity'
  /** Bytes on disk fail their checksum or do not parse, somewhere a crash cannot explain. */
  | 'corrupt'
  /** An earlier write or fsync failed; the storage refuses further writes until reopened. */
  | 'failed'
  /** The caller asked for something the log cannot do (a gap, a closed storage). */
  | 'invalid';

export class StorageError extends Error {
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly offset: number | undefined;

  constructor(
    message: string,
    readonly kind: StorageErrorKind,
    readonly path: string,
    details: { code?: string; errno?: number; offset?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StorageError';
    this.code = details.code;
    this.errno = details.errno;
    this.offset = details.offset;
  }

  /** Wraps an fs failure: "<what> <path> failed: ENOSPC: no space left on device". */
  static fromIo(what: string, path: string, err: unknown): StorageError {
    if (err instanceof StorageError) return err;
    const e = err as NodeJS.ErrnoException;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    return new StorageError(`${what} ${path} failed: ${e?.message ?? String(err)}`, 'io', path, {
      code,
      errno: typeof e?.errno === 'number' ? e.errno : undefined,
      cause: err,
    });
  }
}
