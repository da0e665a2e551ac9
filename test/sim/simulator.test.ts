// The simulator itself: schedules replay exactly from their seed, and its checks catch a known bug.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSchedule } from './schedule.js';

test('a schedule replays exactly from its seed (the trace of a failure is reproducible)', () => {
  const a = runSchedule(42, { trace: true });
  const b = runSchedule(42, { trace: true });
  assert.ok((a.trace ?? []).length > 100);
  assert.deepEqual(a.trace, b.trace);
  assert.notDeepEqual(runSchedule(43, { trace: true }).trace, a.trace);
});

test('the checks catch PySyncObj issue 201: term and vote not restored after a restart', () => {
  // The same random schedules, with a shell that forgets term and vote on restart, must be caught.
  const caught = [];
  for (let seed = 1; seed <= 300; seed++) {
    const outcome = runSchedule(seed, { forgetTermOnRestart: true });
    if (outcome.violations.length > 0) caught.push(seed);
  }
  // 48 of these 300 catch it (the double-vote check and leader churn added to what 45 caught before);
  // a floor well above the old 5 fails if the schedules or checks weaken.
  assert.ok(caught.length >= 40, `only ${caught.length} of 300 schedules caught the bug (48 did when the floor was set)`);
});
