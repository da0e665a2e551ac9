// Smoke test of the benchmark harness (not of speed: no targets here): a tiny load against a real
// 3-member syncobj-node cluster and one recovery produce finite numbers and a markdown table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recovery } from './growth.js';
import { nodeRun } from './throughput.js';
import { median } from './stats.js';

test('the benchmark harness measures throughput, latency and recovery', { timeout: 60_000 }, async () => {
  const run = await nodeRun(3, 'never', { concurrency: 8, warmupMs: 200, durationMs: 500, sequentialNode: 5, sequentialPy: 0 });
  assert.ok(run.load.ops > 0, 'some writes were acknowledged');
  assert.ok(Number.isFinite(run.load.opsPerSec) && run.load.opsPerSec > 0);
  assert.equal(run.seqLeader.length, 5);
  assert.equal(run.seqFollower.length, 5);
  assert.ok(Number.isFinite(median(run.seqLeader)) && median(run.seqLeader) > 0);
  assert.ok(run.before.term >= 1 && typeof run.after.leader === 'string');

  const r = await recovery(1000, false, 20_000);
  assert.ok(r.appliedMs > 0 && r.statusMs <= r.appliedMs);
  assert.ok(Number.isFinite(r.rssMiB) || process.platform !== 'linux');
});
