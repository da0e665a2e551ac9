// Encodes the Raft messages a member sends its peers, `{t: 'raft', m}`, as msgpack written here
// rather than by msgpackr: the same values, so every member decodes them as before, but an append's
// entries are laid out once and the bytes reused for each follower that is sent the same ones.

import type { Entry, Message } from '../raft/index.js';

/** The encoded entries of the last append, for the next follower sent the same range. */
interface EntriesBlock {
  first: number;
  last: number;
  lastTerm: number;
  bytes: Uint8Array;
}

/** What a value may be here; anything else (a snapshot's nested meta, say) goes to msgpackr. */
type Plain = string | number | boolean | Uint8Array;

export class RaftMessageEncoder {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #at = 0;
  #entries: EntriesBlock | null = null;

  /**
   * The msgpack bytes of `{t: 'raft', m: message}`, or null when the message holds a value this
   * encoder does not write (then the caller's codec encodes it). Only appends, their answers and
   * heartbeats are frequent enough to matter; the rest take the same path when they qualify.
   */
  encode(message: Message): Uint8Array | null {
    const fields = message as unknown as Record<string, unknown>;
    const keys: string[] = [];
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      if (k === 'entries' ? !Array.isArray(v) : !isPlain(v)) return null;
      keys.push(k);
    }
    if (keys.length > 15) return null;
    this.#at = 0;
    this.#reserve(16);
    this.#byte(0x82);
    this.#string('t');
    this.#string('raft');
    this.#string('m');
    this.#byte(0x80 | keys.length);
    for (const k of keys) {
      this.#string(k);
      if (k === 'entries') this.#entryList(fields[k] as Entry[]);
      else this.#plain(fields[k] as Plain);
    }
    return Uint8Array.prototype.slice.call(this.#buffer, 0, this.#at);
  }

  #entryList(entries: Entry[]): void {
    if (entries.length === 0) {
      this.#arrayHeader(0);
      return;
    }
    const first = entries[0]!.index;
    const last = entries[entries.length - 1]!;
    const cached = this.#entries;
    // Entries at the same index with the same term are the same entries (the Log Matching property).
    if (cached && cached.first === first && cached.last === last.index && cached.lastTerm === last.term) {
      this.#raw(cached.bytes);
      return;
    }
    const start = this.#at;
    this.#arrayHeader(entries.length);
    for (const e of entries) {
      this.#reserve(64 + e.data.length);
      this.#raw(ENTRY_INDEX);
      this.#uint(e.index);
      this.#raw(ENTRY_TERM);
      this.#uint(e.term);
      this.#raw(ENTRY_KIND);
      this.#string(e.kind);
      this.#raw(ENTRY_DATA);
      this.#bin(e.data);
    }
    this.#entries = { first, last: last.index, lastTerm: last.term, bytes: Uint8Array.prototype.slice.call(this.#buffer, start, this.#at) };
  }

  #plain(v: Plain): void {
    if (typeof v === 'string') this.#string(v);
    else if (typeof v === 'number') this.#uint(v);
    else if (typeof v === 'boolean') this.#byte(v ? 0xc3 : 0xc2);
    else this.#bin(v);
  }

  #reserve(n: number): void {
    if (this.#at + n <= this.#buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + n));
    this.#buffer.copy(bigger, 0, 0, this.#at);
    this.#buffer = bigger;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buffer[this.#at++] = b;
  }

  /** Short runs are copied in JavaScript: a native copy costs more than it saves below ~64 bytes. */
  #raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#reserve(n);
    const b = this.#buffer;
    if (n < 64) for (let i = 0; i < n; i++) b[this.#at++] = bytes[i]!;
    else {
      b.set(bytes, this.#at);
      this.#at += n;
    }
  }

  #string(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the header at most 5.
    this.#reserve(5 + s.length * 3);
    if (s.length < 32 && isAscii(s)) {
      const b = this.#buffer;
      b[this.#at++] = 0xa0 | s.length;
      for (let i = 0; i < s.length; i++) b[this.#at++] = s.charCodeAt(i);
      return;
    }
    this.#header(Buffer.byteLength(s), STR);
    this.#at += this.#buffer.write(s, this.#at, 'utf8');
  }

  /** A whole number >= 0 (isPlain checked it), in the smallest form msgpack has for it. */
  #uint(n: number): void {
    this.#reserve(9);
    const b = this.#buffer;
    if (n < 0x80) b[this.#at++] = n;
    else if (n < 0x100) {
      b[this.#at++] = 0xcc;
      b[this.#at++] = n;
    } else if (n < 0x10000) {
      b[this.#at++] = 0xcd;
      this.#at = b.writeUInt16BE(n, this.#at);
    } else if (n < 0x1_0000_0000) {
      b[this.#at++] = 0xce;
      this.#at = b.writeUInt32BE(n, this.#at);
    } else {
      b[this.#at++] = 0xcf;
      this.#at = b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), this.#at);
      this.#at = b.writeUInt32BE(n >>> 0, this.#at);
    }
  }

  #bin(data: Uint8Array): void {
    this.#header(data.length, BIN);
    this.#raw(data);
  }

  #arrayHeader(n: number): void {
    this.#header(n, ARRAY);
  }

  /** A string's, bin's or array's length header, in the smallest form its family has. */
  #header(n: number, f: HeaderFamily): void {
    this.#reserve(5);
    const b = this.#buffer;
    if (n < f.fixBelow) b[this.#at++] = f.fix | n;
    else if (f.c8 !== 0 && n < 0x100) {
      b[this.#at++] = f.c8;
      b[this.#at++] = n;
    } else if (n < 0x10000) {
      b[this.#at++] = f.c16;
      this.#at = b.writeUInt16BE(n, this.#at);
    } else {
      b[this.#at++] = f.c32;
      this.#at = b.writeUInt32BE(n, this.#at);
    }
  }
}

/** A msgpack length-header family: a one-byte form for lengths below `fixBelow` (0: none), then 8-, 16- and 32-bit forms (c8 0: none). */
interface HeaderFamily {
  fix: number;
  fixBelow: number;
  c8: number;
  c16: number;
  c32: number;
}
const STR: HeaderFamily = { fix: 0xa0, fixBelow: 32, c8: 0xd9, c16: 0xda, c32: 0xdb };
const BIN: HeaderFamily = { fix: 0, fixBelow: 0, c8: 0xc4, c16: 0xc5, c32: 0xc6 };
const ARRAY: HeaderFamily = { fix: 0x90, fixBelow: 16, c8: 0, c16: 0xdc, c32: 0xdd };

/** An entry's map header and first key, and its other keys, as msgpack. */
const ENTRY_INDEX = Uint8Array.of(0x84, 0xa5, ...Buffer.from('index'));
const ENTRY_TERM = Uint8Array.of(0xa4, ...Buffer.from('term'));
const ENTRY_KIND = Uint8Array.of(0xa4, ...Buffer.from('kind'));
const ENTRY_DATA = Uint8Array.of(0xa4, ...Buffer.from('data'));

function isPlain(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) return true;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
