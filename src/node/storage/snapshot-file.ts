// Snapshot files: meta and state-machine data under checksums, written atomically, named by their last index.

import { join } from 'node:path';
import type { Snapshot, SnapshotMeta } from '../../raft/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { crc32Range } from './crc32.js';
import { StorageError } from './storage-error.js';
import type { StorageFs } from './storage-fs.js';

const MAGIC = Buffer.from('SOBJSNAP');
/** magic(8) meta length(4) meta CRC(4) data length(8) data CRC(4). */
const HEADER_BYTES = 28;
const NAME = /^snapshot-(\d{20})\.snap$/;

export function snapshotFileName(index: number): string {
  return `snapshot-${String(index).padStart(20, '0')}.snap`;
}

/** The snapshot index a file name stands for, or undefined if it is not a snapshot file. */
export function parseSnapshotFileName(name: string): number | undefined {
  const match = NAME.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export async function writeSnapshotFile(fsx: StorageFs, dir: string, snapshot: Snapshot, durable: boolean): Promise<string> {
  const meta = Buffer.from(JSON.stringify(snapshot.meta));
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(meta.length, 8);
  header.writeUInt32LE(crc32Range(meta, 0, meta.length), 12);
  header.writeUInt32LE(snapshot.data.length >>> 0, 16);
  header.writeUInt32LE(Math.floor(snapshot.data.length / 0x1_0000_0000), 20);
  header.writeUInt32LE(crc32Range(snapshot.data, 0, snapshot.data.length), 24);
  const name = snapshotFileName(snapshot.meta.index);
  await writeFileAtomic(fsx, dir, name, [header, meta, snapshot.data], durable);
  return name;
}

export async function readSnapshotFile(fsx: StorageFs, path: string): Promise<Snapshot> {
  let raw: Buffer;
  try {
    raw = await fsx.readFile(path);
  } catch (err) {
    throw StorageError.fromIo('reading', path, err);
  }
  const corrupt = (offset: number, why: string): StorageError =>
    new StorageError(
      `${path} is corrupt at byte ${offset}: ${why}; refusing to start (restore the data dir or remove it and rejoin as a new member)`,
      'corrupt',
      path,
      { offset },
    );
  if (raw.length < HEADER_BYTES || !raw.subarray(0, 8).equals(MAGIC)) throw corrupt(0, 'not a snapshot file');
  const metaLength = raw.readUInt32LE(8);
  const dataLength = raw.readUInt32LE(16) + raw.readUInt32LE(20) * 0x1_0000_0000;
  const dataStart = HEADER_BYTES + metaLength;
  if (dataStart + dataLength !== raw.length) throw corrupt(8, `lengths say ${dataStart + dataLength} bytes, the file has ${raw.length}`);
  if (raw.readUInt32LE(12) !== crc32Range(raw, HEADER_BYTES, dataStart)) throw corrupt(HEADER_BYTES, 'meta checksum mismatch');
  if (raw.readUInt32LE(24) !== crc32Range(raw, dataStart, raw.length)) throw corrupt(dataStart, 'data checksum mismatch');
  const meta = JSON.parse(raw.subarray(HEADER_BYTES, dataStart).toString('utf8')) as SnapshotMeta;
  return { meta, data: raw.subarray(dataStart) };
}

export function snapshotPath(dir: string, index: number): string {
  return join(dir, snapshotFileName(index));
}
