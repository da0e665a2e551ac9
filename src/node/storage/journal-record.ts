// Byte layout of journal records: encoding a batch into one buffer, and scanning a segment buffer back into records.

import type { Entry, EntryKind } from '../../raft/types.js';
import { crc32Range } from './crc32.js';

/**
 * Record = header(12) | payload.
 * header = payload length (u32 LE) | CRC-32 of payload (u32 LE) | CRC-32 of the first 8 header bytes (u32 LE).
 * The header's own checksum means a length that passes can be trusted: only then can a record
 * that runs past the end of the file be called torn rather than corrupt.
 */
export const RECORD_HEADER_BYTES = 12;
/** Largest payload a record may declare; a batch above it is split by the writer. */
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

const TYPE_ENTRIES = 1;
const TYPE_TRUNCATE = 2;
/** Per entry: index(8) term(8) kind(1) data length(4). */
const ENTRY_FIXED_BYTES = 21;

const KIND_CODES: Record<EntryKind, number> = { noop: 0, command: 1, config: 2, version: 3 };
const KINDS: EntryKind[] = ['noop', 'command', 'config', 'version'];

export type JournalRecord =
  /** Entries, contiguous; a first index at or below the current last index replaces the tail from there. */
  | { type: 'entries'; entries: Entry[] }
  /** Drops every entry with index >= fromIndex. */
  | { type: 'truncate'; fromIndex: number };

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value >>> 0, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

function readU64(buf: Uint8Array, at: number): number {
  return u32(buf, at) + u32(buf, at + 4) * 0x1_0000_0000;
}

function sealRecord(record: Buffer): Buffer {
  const payloadLength = record.length - RECORD_HEADER_BYTES;
  record.writeUInt32LE(payloadLength, 0);
  record.writeUInt32LE(crc32Range(record, RECORD_HEADER_BYTES, record.length), 4);
  record.writeUInt32LE(crc32Range(record, 0, 8), 8);
  return record;
}

/** One record holding all of `entries`: one buffer, one write. */
export function encodeEntriesRecord(entries: readonly Entry[]): Buffer {
  let size = RECORD_HEADER_BYTES + 5;
  for (const entry of entries) size += ENTRY_FIXED_BYTES + entry.data.length;
  const buf = Buffer.allocUnsafe(size);
  let at = RECORD_HEADER_BYTES;
  buf[at++] = TYPE_ENTRIES;
  buf.writeUInt32LE(entries.length, at);
  at += 4;
  for (const entry of entries) {
    writeU64(buf, entry.index, at);
    writeU64(buf, entry.term, at + 8);
    buf[at + 16] = KIND_CODES[entry.kind];
    buf.writeUInt32LE(entry.data.length, at + 17);
    at += ENTRY_FIXED_BYTES;
    buf.set(entry.data, at);
    at += entry.data.length;
  }
  return sealRecord(buf);
}

export function encodeTruncateRecord(fromIndex: number): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 9);
  buf[RECORD_HEADER_BYTES] = TYPE_TRUNCATE;
  writeU64(buf, fromIndex, RECORD_HEADER_BYTES + 1);
  return sealRecord(buf);
}

/** Why a scan stopped early. `torn` is at the very end of the buffer and a crash mid-write explains it. */
export type ScanStop =
  | { kind: 'torn'; offset: number; reason: string }
  | { kind: 'corrupt'; offset: number; reason: string };

export interface ScanResult {
  /** Bytes from the start that hold whole, valid records. */
  validBytes: number;
  stop?: ScanStop;
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Walks `buf` record by record, calling `onRecord` for each valid one. Entry data are views into
 * `buf` (no copy). Stops at the first bad record, saying whether it is a torn tail or corruption.
 */
export function scanRecords(buf: Buffer, onRecord: (record: JournalRecord, offset: number) => void): ScanResult {
  let at = 0;
  while (at < buf.length) {
    const left = buf.length - at;
    if (left < RECORD_HEADER_BYTES) {
      return { validBytes: at, stop: { kind: 'torn', offset: at, reason: `partial record header (${left} of ${RECORD_HEADER_BYTES} bytes)` } };
    }
    if (buf.readUInt32LE(at + 8) !== crc32Range(buf, at, at + 8)) {
      if (allZero(buf, at)) return { validBytes: at, stop: { kind: 'torn', offset: at, reason: 'zero-filled tail' } };
      return { validBytes: at, stop: { kind: 'corrupt', offset: at, reason: 'record header checksum mismatch' } };
    }
    const length = buf.readUInt32LE(at);
    if (length === 0 || length > MAX_RECORD_PAYLOAD_BYTES) {
      return { validBytes: at, stop: { kind: 'corrupt', offset: at, reason: `impossible record length ${length}` } };
    }
    const end = at + RECORD_HEADER_BYTES + length;
    if (end > buf.length) {
      return {
        validBytes: at,
        stop: { kind: 'torn', offset: at, reason: `record of ${length} bytes cut off after ${left - RECORD_HEADER_BYTES}` },
      };
    }
    if (buf.readUInt32LE(at + 4) !== crc32Range(buf, at + RECORD_HEADER_BYTES, end)) {
      const kind = end === buf.length ? 'torn' : 'corrupt';
      return { validBytes: at, stop: { kind, offset: at, reason: 'record payload checksum mismatch' } };
    }
    const record = parsePayload(buf, at + RECORD_HEADER_BYTES, end);
    if (typeof record === 'string') return { validBytes: at, stop: { kind: 'corrupt', offset: at, reason: record } };
    onRecord(record, at);
    at = end;
  }
  return { validBytes: at };
}

/** A record whose checksum passed but whose content does not parse: a bug or a newer format, never a crash. */
function parsePayload(buf: Buffer, start: number, end: number): JournalRecord | string {
  const type = buf[start];
  if (type === TYPE_TRUNCATE) {
    if (end - start !== 9) return 'truncate record of the wrong size';
    return { type: 'truncate', fromIndex: readU64(buf, start + 1) };
  }
  if (type !== TYPE_ENTRIES) return `unknown record type ${type}`;
  if (end - start < 5) return 'entries record too short';
  const count = buf.readUInt32LE(start + 1);
  const entries: Entry[] = new Array(count);
  const arrayBuffer = buf.buffer;
  const base = buf.byteOffset;
  let at = start + 5;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED_BYTES > end) return `entries record ends inside entry ${i} of ${count}`;
    const kind = KINDS[buf[at + 16]!];
    if (kind === undefined) return `unknown entry kind ${buf[at + 16]}`;
    const dataLength = u32(buf, at + 17);
    const dataStart = at + ENTRY_FIXED_BYTES;
    if (dataStart + dataLength > end) return `entry ${i} of ${count} runs past its record`;
    const index = u32(buf, at) + u32(buf, at + 4) * 0x1_0000_0000;
    if (i > 0 && index !== entries[i - 1]!.index + 1) return `entries record is not contiguous at entry ${i}`;
    // A plain view rather than Buffer#subarray: recovery makes one per entry, and this one is cheaper.
    const data = new Uint8Array(arrayBuffer, base + dataStart, dataLength);
    entries[i] = { index, term: u32(buf, at + 8) + u32(buf, at + 12) * 0x1_0000_0000, kind, data };
    at = dataStart + dataLength;
  }
  if (at !== end) return 'entries record has trailing bytes';
  return { type: 'entries', entries };
}
