// Model-based property test: random appends, conflicts, truncations, snapshots and restarts recover what a plain array predicts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FaultInjectingFs, NodeStorage, StorageError, nodeStorageFs } from '../../../src/node/storage/index.js';
import { makeEntries, plain, withTempDir } from './helpers.js';
import { testSeed } from '../../support/seed.js';
import type { Entry } from '../../../src/raft/types.js';

const seed = testSeed(20_260_115);

type Op =
  | { op: 'append'; back: number; count: number; term: number }
  | { op: 'truncate'; back: number }
  | { op: 'snapshot'; back: number }
  | { op: 'reopen' }
  /** An append whose write fails after `partial` bytes: it must leave no trace. */
  | { op: 'failed-append'; count: number; partial: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('append' as const), back: fc.nat(3), count: fc.integer({ min: 1, max: 5 }), term: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), back: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('snapshot' as const), back: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('failed-append' as const), count: fc.integer({ min: 1, max: 5 }), partial: fc.nat(200) }) },
);

test(`random operation sequences recover as the model says (seed ${seed})`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), (ops) =>
      withTempDir(async (dir) => {
        const faulty = new FaultInjectingFs(nodeStorageFs);
        const open = () => NodeStorage.open({ dir, self: 'm:1', fsync: 'never', segmentMaxBytes: 120, fs: faulty });
        let { storage } = await open();
        let model: Entry[] = [];
        let snapshotIndex = 0;
        const last = (): number => (model.length > 0 ? model[model.length - 1]!.index : snapshotIndex);
        for (const step of ops) {
          if (step.op === 'append') {
            const from = Math.max(snapshotIndex + 1, last() + 1 - step.back);
            const batch = makeEntries(from, step.count, step.term);
            await storage.append(batch);
            model = [...model.filter((e) => e.index < from), ...batch];
          } else if (step.op === 'failed-append') {
            faulty.failNextWrite('EIO', step.partial);
            await assert.rejects(storage.append(makeEntries(last() + 1, step.count, 9)), StorageError);
          } else if (step.op === 'truncate') {
            const from = Math.max(snapshotIndex + 1, last() + 1 - step.back);
            await storage.truncateSuffix(from);
            model = model.filter((e) => e.index < from);
          } else if (step.op === 'snapshot') {
            const index = Math.max(snapshotIndex, last() - step.back);
            if (index === snapshotIndex) continue;
            await storage.saveSnapshot({ meta: { index, term: 1, voters: ['m:1'], learners: [], codeVersion: 0 }, data: Buffer.from(`s${index}`) });
            snapshotIndex = index;
            model = model.filter((e) => e.index > index);
          } else {
            await storage.close();
            const reopened = await open();
            storage = reopened.storage;
            assert.deepEqual(plain(reopened.recovered.entries), plain(model));
            assert.equal(reopened.recovered.snapshot?.meta.index ?? 0, snapshotIndex);
          }
          assert.equal(storage.lastIndex, last());
        }
        await storage.close();
        const final = await open();
        assert.deepEqual(plain(final.recovered.entries), plain(model));
        assert.equal(final.recovered.snapshot?.meta.index ?? 0, snapshotIndex);
        await final.storage.close();
        return true;
      }),
    ),
    { seed, numRuns: Number(process.env.FC_RUNS ?? 40) },
  );
});
