// Write failures reject with a StorageError carrying path and errno, and leave a journal that recovers.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DISK_FULL_ENV, FaultInjectingFs, NodeStorage, StorageError, faultPlanFromEnv, nodeStorageFs } from '../../../src/node/storage/index.js';
import { journalFiles, makeEntries, withTempDir } from './helpers.js';

const self = 'n1:1';

test('a write that fails half-way is cut off; later appends and recovery see no trace of it', () =>
  withTempDir(async (dir) => {
    const faulty = new FaultInjectingFs(nodeStorageFs);
    const { storage } = await NodeStorage.open({ dir, self, fs: faulty });
    await storage.append(makeEntries(1, 2));
    faulty.failNextWrite('EIO', 17);
    await assert.rejects(storage.append(makeEntries(3, 2)), (err) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.kind, 'io');
      assert.equal(err.code, 'EIO');
      assert.ok(err.path.endsWith('.log') && err.message.includes(err.path), err.message);
      return true;
    });
    assert.equal(storage.lastIndex, 2);
    await storage.append(makeEntries(3, 1, 2));
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 2]]);
    assert.deepEqual(recovered.notices, []);
    await reopened.close();
  }));

test('a full disk (the --fault-disk-full-after-bytes plan) fails with ENOSPC and leaves a recoverable dir', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self, faults: { diskFullAfterBytes: 2000 } });
    let acknowledged = 0;
    let failure: unknown;
    for (let i = 1; i <= 100 && failure === undefined; i++) {
      try {
        await storage.append(makeEntries(i, 1, 1, 100));
        acknowledged = i;
      } catch (err) {
        failure = err;
      }
    }
    assert.ok(failure instanceof StorageError && failure.code === 'ENOSPC', String(failure));
    assert.ok(acknowledged > 0);
    await assert.rejects(storage.saveHardState({ term: 9, vote: null, commit: 0 }), (err) => err instanceof StorageError && err.code === 'ENOSPC');
    await storage.close();
    assert.deepEqual((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.equal(recovered.entries.length, acknowledged);
    assert.deepEqual(recovered.hardState, { term: 0, vote: null, commit: 0 });
    await reopened.close();
  }));

test('the disk-full plan can come from the environment', () => {
  assert.equal(faultPlanFromEnv({}), undefined);
  assert.deepEqual(faultPlanFromEnv({ [DISK_FULL_ENV]: '4096' }), { diskFullAfterBytes: 4096 });
  assert.throws(() => faultPlanFromEnv({ [DISK_FULL_ENV]: 'lots' }), /must be a byte count/);
});

test('a failed fdatasync makes the journal refuse further writes until reopened', () =>
  withTempDir(async (dir) => {
    const faulty = new FaultInjectingFs(nodeStorageFs);
    const { storage } = await NodeStorage.open({ dir, self, fs: faulty });
    await storage.append(makeEntries(1, 1));
    faulty.failNextFsync('EIO');
    await assert.rejects(storage.append(makeEntries(2, 1)), (err) => err instanceof StorageError && err.code === 'EIO');
    await assert.rejects(storage.append(makeEntries(2, 1)), (err) => err instanceof StorageError && err.kind === 'failed');
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.ok(recovered.entries.length >= 1);
    await reopened.close();
  }));

test('a failed rename keeps the previous hard state', () =>
  withTempDir(async (dir) => {
    const faulty = new FaultInjectingFs(nodeStorageFs);
    const { storage } = await NodeStorage.open({ dir, self, fs: faulty });
    await storage.saveHardState({ term: 1, vote: 'n1:1', commit: 0 });
    faulty.failNextRename('EIO');
    await assert.rejects(storage.saveHardState({ term: 2, vote: null, commit: 0 }), (err) => err instanceof StorageError && err.path === join(dir, 'hardstate'));
    assert.deepEqual(storage.hardState, { term: 1, vote: 'n1:1', commit: 0 });
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.hardState, { term: 1, vote: 'n1:1', commit: 0 });
    await reopened.close();
  }));

test('a failed snapshot write leaves the journal and the old snapshot in place', () =>
  withTempDir(async (dir) => {
    const faulty = new FaultInjectingFs(nodeStorageFs);
    const { storage } = await NodeStorage.open({ dir, self, fs: faulty });
    await storage.append(makeEntries(1, 5));
    faulty.failNextWrite('ENOSPC', 10);
    await assert.rejects(
      storage.saveSnapshot({ meta: { index: 3, term: 1, voters: [self], learners: [], codeVersion: 0 }, data: new Uint8Array(100) }),
      (err) => err instanceof StorageError && err.code === 'ENOSPC',
    );
    const files = await journalFiles(dir);
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.equal(recovered.snapshot, null);
    assert.equal(recovered.entries.length, 5);
    assert.deepEqual(await journalFiles(dir), files);
    await reopened.close();
  }));
