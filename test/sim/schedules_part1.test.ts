// Random schedules, part 1 of 2 (the two files run in parallel): every safety check holds after every step,
// and every healed cluster elects a leader and commits within a bounded virtual time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBatch, schedulesPerFile } from './batch.js';

const PART = 1;

test(`random schedules, part ${PART}: no violations`, () => {
  const count = schedulesPerFile();
  const from = 1 + (PART - 1) * count;
  // Batches of 500 keep a failure report short and show progress in the test output.
  for (let start = from; start < from + count; start += 500) {
    const report = runBatch(start, Math.min(500, from + count - start));
    assert.deepEqual(report.failures, [], `seeds ${start}..${start + report.schedules - 1}:\n${report.failures.join('\n')}`);
  }
});
