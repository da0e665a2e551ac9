// A real process killed with SIGKILL mid-append: every append it acknowledged is recovered, and the rest cleanly cut.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { NodeStorage } from '../../../src/node/storage/index.js';
import { withTempDir } from './helpers.js';

const storageModule = new URL('../../../src/node/storage/index.js', import.meta.url).href;

/** Appends batches forever with fsync always, printing the last index of each acknowledged append. */
const writerScript = (dir: string): string => `
  const { NodeStorage } = await import(${JSON.stringify(storageModule)});
  const { storage } = await NodeStorage.open({ dir: ${JSON.stringify(dir)}, self: 'crash:1', segmentMaxBytes: 64 * 1024 });
  const data = new Uint8Array(300).fill(1);
  for (let i = 1; ; i += 7) {
    const batch = Array.from({ length: 7 }, (_, k) => ({ index: i + k, term: 1, kind: 'command', data }));
    await storage.append(batch);
    process.stdout.write((i + 6) + '\\n');
  }
`;

test('entries acknowledged before a SIGKILL are all recovered', () =>
  withTempDir(async (dir) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writerScript(dir)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    let output = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const lines = output.split('\n');
          output = lines.pop()!;
          if (lines.length > 0) acknowledged = Number(lines[lines.length - 1]);
          if (acknowledged >= 1500) resolve();
        });
        child.once('exit', () => resolve());
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.ok(acknowledged >= 1500, `the writer got to ${acknowledged}`);
    const { storage, recovered } = await NodeStorage.open({ dir, self: 'crash:1' });
    const last = recovered.entries[recovered.entries.length - 1]?.index ?? 0;
    assert.ok(last >= acknowledged, `recovered up to ${last}, acknowledged ${acknowledged}`);
    assert.equal(recovered.entries[0]?.index, 1);
    recovered.entries.forEach((entry, i) => assert.equal(entry.index, i + 1));
    await storage.append([{ index: last + 1, term: 2, kind: 'noop', data: new Uint8Array(0) }]);
    await storage.close();
  }));
