// Smoke test of the benchmark harness (not of speed: no targets here): a tiny load against a real
// 3-member syncobj-node cluster and one recovery produce finite numbers and a markdown table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recovery } from './growth.js';
import { nodeRun } from './throughput.js';
import { median } from './stats.js';
import { benchSweep, sweepTable } from './sweep.js';
import { pysyncobjMissing } from '../support/pysyncobj-cluster.js';

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

test('the throughput sweep drives both systems, PySyncObj from inside its leader', { timeout: 90_000 }, async () => {
  const r = await benchSweep({ points: [8], lineServerPoints: [], warmupMs: 200, windowMs: 500, idleMs: 300 });
  const [ours, embedded, dict] = r.systems;
  assert.ok(ours && ours.rows.length === 1 && ours.rows[0]!.opsPerSec > 0, 'syncobj-node acknowledged writes');
  assert.ok(Number.isFinite(ours.rows[0]!.cpuUsPerWrite) && ours.rows[0]!.cpuUsPerWrite > 0, 'CPU per write measured');
  assert.equal(ours.idle.length, 3, 'idle CPU of every member');
  const missing = pysyncobjMissing();
  if (missing && !process.env['SYNCOBJ_REQUIRE_PYSYNCOBJ']) {
    console.log(`# PySyncObj half of the sweep smoke skipped: ${missing}`);
    return;
  }
  assert.ok(embedded && !embedded.skipped, `PySyncObj ran: ${embedded?.skipped ?? ''}`);
  assert.ok(embedded.rows[0]!.opsPerSec > 0 && embedded.rows[0]!.failed === 0, 'the embedded generator committed writes');
  assert.match(embedded.system, /@replicated counter/);
  assert.ok(dict && /replicated dict/.test(dict.system) && dict.rows[0]!.opsPerSec > 0 && dict.rows[0]!.failed === 0, 'the replicated dict row committed writes');
  const table = sweepTable(r);
  assert.match(table, /Peak ratio, syncobj-node \/ PySyncObj at its best: \*\*\d+\.\d\dx\*\*/);
  assert.match(table, /Peak ratio, syncobj-node \/ PySyncObj serving a replicated dict: \d+\.\d\dx/);
});
