// NodeStorage round trips: appends, conflicts, truncation, hard state and snapshots all survive a restart.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FaultInjectingFs, NodeStorage, StorageError, nodeStorageFs } from '../../../src/node/storage/index.js';
import type { Entry } from '../../../src/raft/types.js';
import { journalFiles, makeEntries, plain, withTempDir } from './helpers.js';

const self = '127.0.0.1:4321';

test('a fresh dir recovers empty; appended entries and hard state come back after a restart', () =>
  withTempDir(async (dir) => {
    const first = await NodeStorage.open({ dir, self });
    assert.deepEqual(first.recovered, { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], notices: [], drain: null });
    const kinds: Entry[] = [
      { index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) },
      { index: 2, term: 1, kind: 'config', data: Uint8Array.of(1, 2) },
      { index: 3, term: 2, kind: 'version', data: Uint8Array.of(3) },
      { index: 4, term: 2 ** 40, kind: 'command', data: new Uint8Array(70_000).fill(9) },
    ];
    await first.storage.append(kinds.slice(0, 2));
    await first.storage.append(kinds.slice(2));
    await first.storage.saveHardState({ term: 2, vote: '127.0.0.1:4322', commit: 3 });
    assert.equal(first.storage.lastIndex, 4);
    await first.storage.close();

    const second = await NodeStorage.open({ dir, self });
    assert.deepEqual(second.recovered.hardState, { term: 2, vote: '127.0.0.1:4322', commit: 3 });
    assert.deepEqual(plain(second.recovered.entries), plain(kinds));
    assert.equal(second.storage.lastIndex, 4);
    await second.storage.append(makeEntries(5, 2));
    await second.storage.close();
    const third = await NodeStorage.open({ dir, self });
    assert.deepEqual(third.recovered.entries.map((e) => e.index), [1, 2, 3, 4, 5, 6]);
    await third.storage.close();
  }));

test('the data dir is 0700 and its files 0600', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 1));
    await storage.saveHardState({ term: 1, vote: null, commit: 1 });
    await storage.saveSnapshot({ meta: { index: 1, term: 1, voters: [self], learners: [], codeVersion: 0 }, data: Uint8Array.of(1) });
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
    for (const name of await fs.readdir(dir)) {
      assert.equal((await fs.stat(join(dir, name))).mode & 0o777, 0o600, name);
    }
    await storage.close();
  }));

test('truncating the suffix, then appending, then recovering gives the new tail', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 10, 1));
    await storage.truncateSuffix(6);
    assert.equal(storage.lastIndex, 5);
    await storage.append(makeEntries(6, 3, 2));
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(plain(recovered.entries), plain([...makeEntries(1, 5, 1), ...makeEntries(6, 3, 2)]));
    await reopened.close();
  }));

test('an append that starts inside the log replaces the tail in one record', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 5, 1));
    await storage.append(makeEntries(3, 1, 3));
    assert.equal(storage.lastIndex, 3);
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(plain(recovered.entries), plain([...makeEntries(1, 2, 1), ...makeEntries(3, 1, 3)]));
    await reopened.close();
  }));

test('gaps and non-contiguous batches are refused without touching the journal', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 2));
    await assert.rejects(storage.append(makeEntries(4, 1)), (err) => err instanceof StorageError && err.kind === 'invalid');
    await assert.rejects(storage.append([...makeEntries(3, 1), ...makeEntries(5, 1)]), StorageError);
    await storage.append(makeEntries(3, 1));
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.entries.map((e) => e.index), [1, 2, 3]);
    await reopened.close();
  }));

test('a snapshot compacts the journal: old segments are deleted and recovery starts above it', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self, segmentMaxBytes: 200 });
    for (let i = 1; i <= 40; i += 4) await storage.append(makeEntries(i, 4));
    const before = await journalFiles(dir);
    assert.ok(before.length > 3, `rotation by size made ${before.length} segments`);
    const snapshot = { meta: { index: 30, term: 1, voters: [self], learners: [], codeVersion: 2 }, data: Buffer.from('state@30') };
    await storage.saveSnapshot(snapshot);
    const after = await journalFiles(dir);
    assert.ok(after.length < before.length, `${before.length} -> ${after.length} segments`);
    await storage.append(makeEntries(41, 2));
    await storage.close();

    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self, segmentMaxBytes: 200 });
    assert.deepEqual(recovered.snapshot?.meta, snapshot.meta);
    assert.equal(Buffer.from(recovered.snapshot!.data).toString(), 'state@30');
    assert.deepEqual(recovered.entries.map((e) => e.index), Array.from({ length: 12 }, (_, i) => 31 + i));
    // A second snapshot replaces the first file.
    await reopened.saveSnapshot({ meta: { ...snapshot.meta, index: 42 }, data: Buffer.from('state@42') });
    const snaps = (await fs.readdir(dir)).filter((n) => n.startsWith('snapshot-'));
    assert.deepEqual(snaps, ['snapshot-00000000000000000042.snap']);
    await reopened.close();
    const last = await NodeStorage.open({ dir, self });
    assert.equal(last.recovered.snapshot?.meta.index, 42);
    assert.deepEqual(last.recovered.entries, []);
    assert.equal(last.storage.lastIndex, 42);
    await last.storage.append(makeEntries(43, 1));
    await last.storage.close();
  }));

test('a snapshot beyond the log (installed from a leader) leaves an empty log that continues after it', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 3));
    await storage.saveSnapshot({ meta: { index: 100, term: 5, voters: [self], learners: [], codeVersion: 0 }, data: new Uint8Array(0) });
    assert.equal(storage.lastIndex, 100);
    await assert.rejects(storage.append(makeEntries(50, 1)), StorageError);
    await storage.append(makeEntries(101, 2, 5));
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.entries.map((e) => e.index), [101, 102]);
    assert.deepEqual(await journalFiles(dir), ['journal-00000000000000000101.log']);
    await reopened.close();
  }));

test('a segment that compaction failed to delete does not block recovery', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 3));
    const [oldName] = await journalFiles(dir);
    const oldBytes = await fs.readFile(join(dir, oldName!));
    await storage.saveSnapshot({ meta: { index: 100, term: 5, voters: [self], learners: [], codeVersion: 0 }, data: new Uint8Array(0) });
    await storage.append(makeEntries(101, 2, 5));
    await storage.close();
    await fs.writeFile(join(dir, oldName!), oldBytes, { mode: 0o600 });
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.entries.map((e) => e.index), [101, 102]);
    await reopened.close();
  }));

test('a gap the snapshot does not cover is corruption', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self, segmentMaxBytes: 1 });
    await storage.append(makeEntries(1, 2));
    await storage.append(makeEntries(3, 2));
    await storage.append(makeEntries(5, 2));
    await storage.close();
    const files = await journalFiles(dir);
    assert.equal(files.length, 3);
    await fs.unlink(join(dir, files[1]!));
    await assert.rejects(
      NodeStorage.open({ dir, self }),
      (err) => err instanceof StorageError && err.kind === 'corrupt' && err.path === join(dir, files[2]!) && /start at index 5 but the log ends at 2/.test(err.message),
    );
  }));

test('a snapshot older than the one on disk is refused', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.append(makeEntries(1, 10));
    const meta = { index: 8, term: 1, voters: [self], learners: [], codeVersion: 0 };
    await storage.saveSnapshot({ meta, data: new Uint8Array(0) });
    await assert.rejects(storage.saveSnapshot({ meta: { ...meta, index: 5 }, data: new Uint8Array(0) }), (err) => err instanceof StorageError && err.kind === 'invalid');
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.equal(recovered.snapshot?.meta.index, 8);
    assert.deepEqual(recovered.entries.map((e) => e.index), [9, 10]);
    await reopened.close();
  }));

test('with lazyCommitIndex, commit-only changes skip fsync but term and vote changes do not', () =>
  withTempDir(async (dir) => {
    const faulty = new FaultInjectingFs(nodeStorageFs);
    const { storage } = await NodeStorage.open({ dir, self, fs: faulty, lazyCommitIndex: true });
    await storage.saveHardState({ term: 1, vote: self, commit: 0 });
    faulty.failNextFsync('EIO');
    await storage.saveHardState({ term: 1, vote: self, commit: 5 });
    await assert.rejects(storage.saveHardState({ term: 2, vote: null, commit: 5 }), (err) => err instanceof StorageError && err.code === 'EIO');
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(recovered.hardState, { term: 1, vote: self, commit: 5 });
    await reopened.close();
  }));

test('a corrupt hard state file refuses to open, naming the file', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.saveHardState({ term: 3, vote: null, commit: 0 });
    await storage.close();
    const path = join(dir, 'hardstate');
    const text = await fs.readFile(path, 'utf8');
    await fs.writeFile(path, text.replace('"term":3', '"term":4'));
    await assert.rejects(
      NodeStorage.open({ dir, self }),
      (err) => err instanceof StorageError && err.kind === 'corrupt' && err.message.includes(path) && /checksum/.test(err.message),
    );
  }));

test('calls after close are refused', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self });
    await storage.close();
    await assert.rejects(storage.append(makeEntries(1, 1)), /closed/);
  }));
