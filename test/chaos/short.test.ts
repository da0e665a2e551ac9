// A short chaos schedule in CI: real members behind link proxies, partitions, kills, pauses, restarts,
// then heal and check the history. Replay a failure with CHAOS_SEED=<seed> or `npm run chaos -- --seed <seed>`.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos, summaryLine, type ChaosResult } from './run-chaos.js';

const seed = Number(process.env['CHAOS_SEED'] ?? 20_261_123);
const SECONDS = 18;

describe(`a ${SECONDS} s chaos schedule (seed ${seed})`, { timeout: 150_000 }, () => {
  let result: ChaosResult;
  const lines: string[] = [];
  const context = (): string => `${summaryLine(result)}\n${lines.slice(-40).join('\n')}\nreplay: CHAOS_SEED=${seed} or npm run chaos -- --client single-attempt --seconds ${SECONDS} --seed ${seed}`;

  before(async () => {
    result = await runChaos({ seconds: SECONDS, seed, client: 'single-attempt', log: (l) => lines.push(l) });
    process.stdout.write(`${summaryLine(result)}; ${result.counts.ok} acknowledged, ${result.counts.unknown} unknown, ${(result.elapsedMs / 1000).toFixed(1)} s\n`);
  });

  test('clients completed operations while faults were injected', () => {
    assert.ok(result.counts.ok >= 100, `only ${result.counts.ok} acknowledged operations\n${context()}`);
    assert.ok(result.faults.length >= 3, `only ${result.faults.length} faults\n${context()}`);
  });

  test('no member exited on its own', () => {
    assert.deepEqual(result.unexpectedExits.map((e) => `${e.address}: code ${e.code}\n${e.logTail}`), [], context());
  });

  test('the healed cluster answers a read of every key and lost no acknowledged write', () => {
    const notLinearizability = result.violations.filter((v) => !v.startsWith('key '));
    assert.deepEqual(notLinearizability, [], context());
    assert.deepEqual(result.lostWrites, [], context());
  });

  test('the history is linearizable per key (single-attempt clients, so the nodes alone are tested)', () => {
    const bad = result.keyResults.filter((k) => k.verdict === 'violation');
    assert.deepEqual(bad.map((k) => `${k.key}: ${k.explanation}`), [], context());
    assert.ok(result.keyResults.length > 0, 'no key was checked');
  });
});
