// Random schedules of the real shell: RaftRuntime and NodeStorage on simulated disks that lose at a crash
// what a real disk may. Every safety check holds after every event, every member's term and vote survive
// its crashes, and every healed cluster commits a new write within a bounded virtual time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRuntimeBatch, runtimeSchedules } from './batch.js';

test('real-shell schedules: no violations', async () => {
  const count = runtimeSchedules();
  let switched = 0;
  for (let start = 1; start <= count; start += 100) {
    const report = await runRuntimeBatch(start, Math.min(100, count + 1 - start));
    assert.deepEqual(report.failures, [], `seeds ${start}..${start + report.schedules - 1}:\n${report.failures.join('\n')}`);
    switched += report.stats.get('switched-digest') ?? 0;
  }
  // Enough schedules cross the switch to SHA-256's successor (code version 1) for its checks to mean something.
  assert.ok(switched >= count / 10, `only ${switched} of ${count} schedules enabled code version 1`);
});
