// Reads and atomically replaces the hard state file: term, vote and commit, with a checksum.

import { join } from 'node:path';
import type { HardState } from '../../raft/types.js';
import { readFileIfPresent, writeFileAtomic } from './atomic-file.js';
import { crc32Range } from './crc32.js';
import { StorageError } from './storage-error.js';
import type { StorageFs } from './storage-fs.js';

export const HARD_STATE_FILE = 'hardstate';

/** Text, one line: the CRC-32 of the JSON in 8 hex digits, a space, the JSON. Readable with cat. */
function encode(state: HardState): Buffer {
  const json = Buffer.from(JSON.stringify({ term: state.term, vote: state.vote, commit: state.commit }));
  return Buffer.concat([Buffer.from(`${crc32Range(json, 0, json.length).toString(16).padStart(8, '0')} `), json, Buffer.from('\n')]);
}

export async function writeHardState(fsx: StorageFs, dir: string, state: HardState, durable: boolean): Promise<void> {
  await writeFileAtomic(fsx, dir, HARD_STATE_FILE, [encode(state)], durable);
}

/** null when the node never saved one (a fresh data dir). */
export async function readHardState(fsx: StorageFs, dir: string): Promise<HardState | null> {
  const path = join(dir, HARD_STATE_FILE);
  const raw = await readFileIfPresent(fsx, path);
  if (raw === null) return null;
  const corrupt = (why: string): StorageError =>
    new StorageError(`${path} is corrupt at byte 0: ${why}; refusing to start without the node's term and vote`, 'corrupt', path, {
      offset: 0,
    });
  const text = raw.toString('utf8');
  const match = /^([0-9a-f]{8}) (.*)\n$/s.exec(text);
  if (match === null) throw corrupt('not "<crc> <json>"');
  const json = Buffer.from(match[2]!);
  if (parseInt(match[1]!, 16) !== crc32Range(json, 0, json.length)) throw corrupt('checksum mismatch');
  const parsed = JSON.parse(match[2]!) as HardState;
  if (!Number.isSafeInteger(parsed.term) || !Number.isSafeInteger(parsed.commit) || !(parsed.vote === null || typeof parsed.vote === 'string')) {
    throw corrupt('fields of the wrong type');
  }
  return { term: parsed.term, vote: parsed.vote, commit: parsed.commit };
}
