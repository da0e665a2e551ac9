// One node per data dir: a live lock holder or another member's identity refuses the open, naming who.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { NodeStorage, StorageError } from '../../../src/node/storage/index.js';
import { withTempDir } from './helpers.js';

test('a second open while the first holds the lock is refused, naming the dir and the pid', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self: 'a:1' });
    await assert.rejects(NodeStorage.open({ dir, self: 'a:1' }), (err) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.kind, 'locked');
      assert.ok(err.message.includes(dir) && err.message.includes(`process ${process.pid}`), err.message);
      return true;
    });
    await storage.close();
    const again = await NodeStorage.open({ dir, self: 'a:1' });
    await again.storage.close();
  }));

test('a lock held by another live process is refused; one left by a dead process is taken over', () =>
  withTempDir(async (dir) => {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await fs.writeFile(join(dir, 'LOCK'), `${child.pid}\n`);
      await assert.rejects(NodeStorage.open({ dir, self: 'a:1' }), (err) => err instanceof StorageError && err.message.includes(`process ${child.pid}`));
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    const { storage, recovered } = await NodeStorage.open({ dir, self: 'a:1' });
    assert.deepEqual(recovered.entries, []);
    assert.equal((await fs.readFile(join(dir, 'LOCK'), 'utf8')).trim(), String(process.pid));
    await storage.close();
  }));

test('a lock naming our own pid, left by an earlier process with that pid, is taken over', () =>
  withTempDir(async (dir) => {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(join(dir, 'LOCK'), `${process.pid}\n`);
    const { storage } = await NodeStorage.open({ dir, self: 'a:1' });
    await assert.rejects(NodeStorage.open({ dir, self: 'a:1' }), (err) => err instanceof StorageError && err.kind === 'locked');
    await storage.close();
  }));

test('a dir owned by another member is refused with the owner named', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self: '10.0.0.1:4321' });
    await storage.close();
    await assert.rejects(NodeStorage.open({ dir, self: '10.0.0.2:4321' }), (err) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.kind, 'identity');
      assert.match(err.message, /belongs to member 10\.0\.0\.1:4321, not 10\.0\.0\.2:4321/);
      return true;
    });
    const owner = await NodeStorage.open({ dir, self: '10.0.0.1:4321' });
    await owner.storage.close();
  }));
