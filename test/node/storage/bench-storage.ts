// Storage benchmark, not a test: `node dist/test/node/storage/bench-storage.js [entries] [batch] [bytes]`.
// Prints append throughput under fsync never and always, and the time to reopen (recover) the journal.

import fs from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { NodeStorage, type FsyncPolicy } from '../../../src/node/storage/index.js';
import type { Entry } from '../../../src/raft/types.js';

async function run(total: number, batch: number, bytes: number, fsync: FsyncPolicy): Promise<void> {
  const root = await fs.mkdtemp(join(os.tmpdir(), 'syncobj-bench-'));
  const dir = join(root, 'data');
  try {
    const { storage } = await NodeStorage.open({ dir, self: 'bench:1', fsync });
    const payload = new Uint8Array(bytes).fill(7);
    let started = performance.now();
    for (let i = 1; i <= total; i += batch) {
      const entries: Entry[] = [];
      for (let j = i; j < i + batch && j <= total; j++) entries.push({ index: j, term: 1, kind: 'command', data: payload });
      await storage.append(entries);
    }
    const appendMs = performance.now() - started;
    await storage.close();
    started = performance.now();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self: 'bench:1' });
    const recoverMs = performance.now() - started;
    await reopened.close();
    if (recovered.entries.length !== total) throw new Error(`recovered ${recovered.entries.length} of ${total}`);
    const perSecond = Math.round((total / appendMs) * 1000);
    console.log(
      `fsync=${fsync.padEnd(6)} entries=${total} batch=${batch} bytes=${bytes}: append ${appendMs.toFixed(0)} ms (${perSecond} entries/s, ${Math.round((total / batch / appendMs) * 1000)} calls/s); recover ${recoverMs.toFixed(0)} ms`,
    );
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const batch = Number(process.argv[3] ?? 100);
  const bytes = Number(process.argv[4] ?? 100);
  await run(total, batch, bytes, 'never');
  await run(Math.min(total, batch * 2000), batch, bytes, 'always');
}

// node --test runs every .js under test/; only run when started directly.
if (process.env.NODE_TEST_CONTEXT === undefined) await main();
