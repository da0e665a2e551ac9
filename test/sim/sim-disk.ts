// A simulated disk behind storage's StorageFs seam that loses at a crash exactly what a real one may:
// writes not yet fsynced and directory changes not yet synced (some prefix survives, the last write
// possibly torn), never what an fsync that returned made durable.
import type { StorageFs } from '../../src/node/storage/index.js';
import type { Prng } from './prng.js';
import type { VirtualScheduler } from './virtual-time.js';

type FileChange = { seq: number; kind: 'write'; position: number; bytes: Uint8Array } | { seq: number; kind: 'truncate'; length: number };
type NameChange = { seq: number; kind: 'link'; path: string; file: SimFile } | { seq: number; kind: 'unlink'; path: string };

class SimFile {
  /** As of the last completed fsync. */
  durable: Uint8Array = new Uint8Array(0);
  /** What readers see: durable plus every change since. */
  current: Uint8Array = new Uint8Array(0);
  changes: FileChange[] = [];
}

function applyChange(content: Uint8Array, change: FileChange): Uint8Array {
  if (change.kind === 'truncate') {
    const out = new Uint8Array(change.length);
    out.set(content.subarray(0, change.length));
    return out;
  }
  const end = change.position + change.bytes.length;
  const out = new Uint8Array(Math.max(content.length, end));
  out.set(content);
  out.set(change.bytes, change.position);
  return out;
}

function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

/** How a process stops: `process` (SIGKILL: the OS keeps its page cache) or `power` (the machine loses it). */
export type CrashKind = 'process' | 'power';

export class SimDisk {
  #names = new Map<string, SimFile>();
  #durableNames = new Map<string, SimFile>();
  #nameChanges: NameChange[] = [];
  #dirs = new Set<string>();
  #fds = new Map<number, { file: SimFile | null; path: string }>();
  #nextFd = 3;
  #seq = 0;
  /** The incarnation allowed to use the disk; operations of an earlier one never complete. */
  #owner: object = {};
  /** Chance that an fsync takes a while of virtual time (a slow disk), during which a crash can hit. */
  slowSyncs = 0;

  constructor(
    private readonly scheduler: VirtualScheduler,
    private readonly rng: Prng,
  ) {}

  /** The file system one process incarnation sees; it goes silent when that incarnation crashes. */
  attach(owner: object): StorageFs {
    this.#owner = owner;
    const live = <T>(run: () => T | Promise<T>): Promise<T> => {
      if (this.#owner !== owner) return new Promise<T>(() => undefined);
      return Promise.resolve().then(run);
    };
    return {
      mkdir: (path) => live(() => void this.#dirs.add(path)),
      open: (path, flags) => live(() => this.#open(path, flags)),
      write: (fd, data, offset, length, position) => live(() => this.#write(fd, data.slice(offset, offset + length), position)),
      fsync: (fd) => this.#sync(fd, owner),
      fdatasync: (fd) => this.#sync(fd, owner),
      ftruncate: (fd, length) => live(() => this.#truncate(fd, length)),
      close: (fd) => live(() => void this.#fds.delete(fd)),
      readFile: (path) => live(() => this.#readFile(path)),
      rename: (from, to) => live(() => this.#rename(from, to)),
      unlink: (path) => live(() => this.#unlink(path)),
      readdir: (path) => live(() => this.#readdir(path)),
    };
  }

  /** The crash: the current incarnation's calls never complete, and what was not durable may be lost. */
  crash(kind: CrashKind): void {
    this.#owner = {};
    this.#fds.clear();
    if (kind === 'process') {
      for (const file of this.#names.values()) this.#markSynced(file, file.current, this.#seq);
      this.#durableNames = new Map(this.#names);
      this.#nameChanges = [];
      return;
    }
    // Changes reach the disk in order: a random prefix of each list survives, its last write maybe torn.
    const names = new Map(this.#durableNames);
    const keep = this.rng.int(this.#nameChanges.length + 1);
    for (const change of this.#nameChanges.slice(0, keep)) {
      if (change.kind === 'link') names.set(change.path, change.file);
      else names.delete(change.path);
    }
    this.#names = names;
    this.#durableNames = new Map(names);
    this.#nameChanges = [];
    for (const file of new Set(names.values())) {
      let content = file.durable;
      const survive = this.rng.int(file.changes.length + 1);
      file.changes.slice(0, survive).forEach((change, i) => {
        const torn = i === survive - 1 && change.kind === 'write' && this.rng.chance(0.5);
        content = applyChange(content, torn ? { ...change, bytes: change.bytes.subarray(0, this.rng.int(change.bytes.length)) } : change);
      });
      this.#markSynced(file, content, this.#seq);
    }
  }

  #markSynced(file: SimFile, content: Uint8Array, upTo: number): void {
    file.durable = content;
    file.changes = file.changes.filter((c) => c.seq > upTo);
    if (file.changes.length === 0) file.current = content;
  }

  #open(path: string, flags: string): number {
    let file: SimFile | null;
    if (this.#dirs.has(path)) file = null;
    else {
      const existing = this.#names.get(path);
      if (flags === 'wx' && existing) throw fsError('EEXIST', 'open', path);
      if ((flags === 'r' || flags === 'r+') && !existing) throw fsError('ENOENT', 'open', path);
      if (existing) {
        file = existing;
        if (flags === 'w') this.#change(file, { seq: ++this.#seq, kind: 'truncate', length: 0 });
      } else {
        file = new SimFile();
        this.#names.set(path, file);
        this.#nameChanges.push({ seq: ++this.#seq, kind: 'link', path, file });
      }
    }
    const fd = this.#nextFd++;
    this.#fds.set(fd, { file, path });
    return fd;
  }

  #handle(fd: number, syscall: string): { file: SimFile | null; path: string } {
    const h = this.#fds.get(fd);
    if (!h) throw fsError('EBADF', syscall, String(fd));
    return h;
  }

  #fileOf(fd: number, syscall: string): SimFile {
    const h = this.#handle(fd, syscall);
    if (h.file === null) throw fsError('EISDIR', syscall, h.path);
    return h.file;
  }

  #change(file: SimFile, change: FileChange): void {
    file.changes.push(change);
    file.current = applyChange(file.current, change);
  }

  #write(fd: number, bytes: Uint8Array, position: number): number {
    this.#change(this.#fileOf(fd, 'write'), { seq: ++this.#seq, kind: 'write', position, bytes });
    return bytes.length;
  }

  #truncate(fd: number, length: number): void {
    this.#change(this.#fileOf(fd, 'ftruncate'), { seq: ++this.#seq, kind: 'truncate', length });
  }

  /** Makes durable what was written before the call, when it completes (later on a slow disk). */
  async #sync(fd: number, owner: object): Promise<void> {
    if (this.#owner !== owner) return new Promise<void>(() => undefined);
    const h = this.#handle(fd, 'fsync');
    const upTo = this.#seq;
    const file = h.file;
    const content = file?.current;
    const names = new Map(this.#names);
    if (this.slowSyncs > 0 && this.rng.chance(this.slowSyncs)) await this.scheduler.sleep(1 + this.rng.int(30), owner);
    else await Promise.resolve();
    if (this.#owner !== owner) return new Promise<void>(() => undefined);
    if (file === null) {
      this.#durableNames = names;
      this.#nameChanges = this.#nameChanges.filter((c) => c.seq > upTo);
    } else if (file !== undefined) this.#markSynced(file, content!, upTo);
  }

  #readFile(path: string): Buffer {
    const file = this.#names.get(path);
    if (!file) throw fsError(this.#dirs.has(path) ? 'EISDIR' : 'ENOENT', 'open', path);
    return Buffer.from(file.current);
  }

  #rename(from: string, to: string): void {
    const file = this.#names.get(from);
    if (!file) throw fsError('ENOENT', 'rename', from);
    this.#names.delete(from);
    this.#names.set(to, file);
    this.#nameChanges.push({ seq: ++this.#seq, kind: 'link', path: to, file }, { seq: ++this.#seq, kind: 'unlink', path: from });
  }

  #unlink(path: string): void {
    if (!this.#names.delete(path)) throw fsError('ENOENT', 'unlink', path);
    this.#nameChanges.push({ seq: ++this.#seq, kind: 'unlink', path });
  }

  #readdir(dir: string): string[] {
    const prefix = `${dir}/`;
    return [...this.#names.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).sort();
  }
}
