// Test helpers for node storage: fresh temp data dirs and generated entries.

import fs from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../../src/raft/types.js';

/** Runs `body` with a fresh temp dir, removed afterwards whatever happens. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const root = await fs.mkdtemp(join(os.tmpdir(), 'syncobj-storage-'));
  try {
    return await body(join(root, 'data'));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

export function makeEntries(from: number, count: number, term = 1, size = 10): Entry[] {
  return Array.from({ length: count }, (_, i) => ({
    index: from + i,
    term,
    kind: 'command' as const,
    data: Buffer.from(`e${from + i}-t${term}-`.padEnd(size, 'x')),
  }));
}

/** Entries as plain values, so deepEqual ignores Buffer-vs-view differences. */
export function plain(entries: readonly Entry[]): { index: number; term: number; kind: string; data: string }[] {
  return entries.map((e) => ({ index: e.index, term: e.term, kind: e.kind, data: Buffer.from(e.data).toString('hex') }));
}

export async function journalFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n.startsWith('journal-')).sort();
}
