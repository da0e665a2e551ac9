// The drain record in the data dir: written atomically, recovered on open, removed by undrain; any file
// by that name is a drain, so an operator can drain a stopped member with touch(1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeStorage } from '../../../src/node/storage/index.js';
import { DRAIN_FILE } from '../../../src/node/storage/drain-file.js';

test('saveDrain survives a reopen, clearDrain removes it; a bare file counts as a drain with no mode recorded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'syncobj-drain-'));
  try {
    let { storage, recovered } = await NodeStorage.open({ dir, self: 'a:1' });
    assert.equal(recovered.drain, null);
    await storage.saveDrain({ before: 'manual' });
    assert.deepEqual(JSON.parse(await readFile(join(dir, DRAIN_FILE), 'utf8')), { before: 'manual' });
    await storage.close();
    ({ storage, recovered } = await NodeStorage.open({ dir, self: 'a:1' }));
    assert.deepEqual(recovered.drain, { before: 'manual' });
    await storage.clearDrain();
    await storage.clearDrain();
    await storage.close();
    ({ storage, recovered } = await NodeStorage.open({ dir, self: 'a:1' }));
    assert.equal(recovered.drain, null);
    await storage.close();
    await writeFile(join(dir, DRAIN_FILE), '');
    ({ storage, recovered } = await NodeStorage.open({ dir, self: 'a:1' }));
    assert.deepEqual(recovered.drain, { before: null });
    await storage.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
