// Recovery: a torn last record is cut with a notice; damage anywhere else refuses to open, naming file and offset.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { NodeStorage, StorageError } from '../../../src/node/storage/index.js';
import { journalFiles, makeEntries, plain, withTempDir } from './helpers.js';

const self = 'n1:1';

/** A journal of three appends; returns the segment path and where the last record starts. */
async function threeAppends(dir: string): Promise<{ path: string; lastStart: number; secondStart: number; full: Buffer }> {
  const { storage } = await NodeStorage.open({ dir, self });
  await storage.append(makeEntries(1, 2));
  const path = join(dir, (await journalFiles(dir))[0]!);
  const secondStart = (await fs.stat(path)).size;
  await storage.append(makeEntries(3, 2));
  const lastStart = (await fs.stat(path)).size;
  await storage.append(makeEntries(5, 2));
  await storage.close();
  return { path, lastStart, secondStart, full: await fs.readFile(path) };
}

test('a last record cut at every offset is dropped with a notice, and the journal accepts appends again', () =>
  withTempDir(async (dir) => {
    const { path, lastStart, full } = await threeAppends(dir);
    for (let cut = lastStart; cut < full.length; cut++) {
      await fs.writeFile(path, full.subarray(0, cut));
      const { storage, recovered } = await NodeStorage.open({ dir, self });
      assert.deepEqual(recovered.entries.map((e) => e.index), [1, 2, 3, 4], `cut at ${cut}`);
      if (cut > lastStart) {
        assert.equal(recovered.notices.length, 1, `cut at ${cut}`);
        assert.ok(recovered.notices[0]!.includes(path) && recovered.notices[0]!.includes(`byte ${lastStart}`), recovered.notices[0]);
      } else {
        assert.deepEqual(recovered.notices, []);
      }
      assert.equal((await fs.stat(path)).size, lastStart, 'the torn bytes are gone from disk');
      await storage.append(makeEntries(5, 1, 2));
      await storage.close();
      const again = await NodeStorage.open({ dir, self });
      assert.deepEqual(again.recovered.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 1], [4, 1], [5, 2]]);
      assert.deepEqual(again.recovered.notices, []);
      await again.storage.close();
    }
  }));

test('a bad checksum in the very last record, or a zero-filled tail, is a torn write', () =>
  withTempDir(async (dir) => {
    const { path, lastStart, full } = await threeAppends(dir);
    const flipped = Buffer.from(full);
    flipped[full.length - 1]! ^= 0xff;
    await fs.writeFile(path, flipped);
    let opened = await NodeStorage.open({ dir, self });
    assert.equal(opened.recovered.entries.length, 4);
    assert.match(opened.recovered.notices[0]!, /checksum mismatch/);
    await opened.storage.close();

    await fs.writeFile(path, Buffer.concat([full.subarray(0, lastStart), Buffer.alloc(300)]));
    opened = await NodeStorage.open({ dir, self });
    assert.equal(opened.recovered.entries.length, 4);
    assert.match(opened.recovered.notices[0]!, /zero-filled tail/);
    await opened.storage.close();
  }));

test('a damaged record in the middle refuses to open, naming the file and the byte offset', () =>
  withTempDir(async (dir) => {
    const { path, secondStart, lastStart, full } = await threeAppends(dir);
    for (const at of [secondStart + 20, secondStart + 2, lastStart - 1]) {
      const damaged = Buffer.from(full);
      damaged[at]! ^= 0x01;
      await fs.writeFile(path, damaged);
      await assert.rejects(NodeStorage.open({ dir, self }), (err) => {
        assert.ok(err instanceof StorageError, String(err));
        assert.equal(err.kind, 'corrupt');
        assert.equal(err.path, path);
        assert.equal(err.offset, secondStart, `flip at ${at}`);
        assert.ok(err.message.includes(`${path} is corrupt at byte ${secondStart}`), err.message);
        return true;
      });
    }
    // Refusing to open must not have cut anything: the original bytes still recover.
    await fs.writeFile(path, full);
    const { storage, recovered } = await NodeStorage.open({ dir, self });
    assert.deepEqual(plain(recovered.entries), plain(makeEntries(1, 6)));
    await storage.close();
  }));

test('a torn record in a segment that is not the last is corruption', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self, segmentMaxBytes: 50 });
    await storage.append(makeEntries(1, 3));
    await storage.append(makeEntries(4, 3));
    await storage.close();
    const files = await journalFiles(dir);
    assert.equal(files.length, 2);
    const firstPath = join(dir, files[0]!);
    const bytes = await fs.readFile(firstPath);
    await fs.writeFile(firstPath, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(NodeStorage.open({ dir, self }), (err) => err instanceof StorageError && err.path === firstPath && /not the last/.test(err.message));
  }));

// How fast this is belongs to the benchmarks (test/bench, recovery table), not to a timed unit test.
test('10^5 entries written in 100 batches all recover, in order', () =>
  withTempDir(async (dir) => {
    const { storage } = await NodeStorage.open({ dir, self, fsync: 'never' });
    for (let i = 1; i <= 100_000; i += 1000) await storage.append(makeEntries(i, 1000, 1, 32));
    await storage.close();
    const { storage: reopened, recovered } = await NodeStorage.open({ dir, self });
    assert.equal(recovered.entries.length, 100_000);
    assert.ok(recovered.entries.every((e, i) => e.index === i + 1), 'entries out of order or missing');
    await reopened.close();
  }));
