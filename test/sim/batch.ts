// Runs a range of seeded schedules in-process and collects the failures with their replay commands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRuntimeSchedule } from './runtime-schedule.js';
import { runSchedule, type ScheduleOutcome } from './schedule.js';

export interface BatchReport {
  schedules: number;
  failures: string[];
  /** Each schedule's stats, summed. */
  stats: Map<string, number>;
}

export function runBatch(from: number, count: number): BatchReport {
  const failures: string[] = [];
  const stats = new Map<string, number>();
  for (let seed = from; seed < from + count; seed++) noteFailure(failures, stats, runSchedule(seed), '');
  return { schedules: count, failures, stats };
}

/** The same for the real shell's schedules (RaftRuntime and NodeStorage on simulated disks). */
export async function runRuntimeBatch(from: number, count: number): Promise<BatchReport> {
  const failures: string[] = [];
  const stats = new Map<string, number>();
  for (let seed = from; seed < from + count; seed++) noteFailure(failures, stats, await runRuntimeSchedule(seed), ' --runtime');
  return { schedules: count, failures, stats };
}

function noteFailure(failures: string[], stats: Map<string, number>, outcome: ScheduleOutcome, flag: string): void {
  for (const [k, v] of outcome.stats) stats.set(k, (stats.get(k) ?? 0) + v);
  if (outcome.violations.length === 0) return;
  failures.push(`seed ${outcome.seed}: ${outcome.violations.join('\n  ')}\n  replay: npm run sim -- --seeds 1 --from ${outcome.seed} --trace${flag}`);
}

/** How many schedules each CI file runs; SIM_SCHEDULES_PER_FILE overrides it for longer local soaks. */
export function schedulesPerFile(): number {
  const fromEnv = Number(process.env['SIM_SCHEDULES_PER_FILE']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 5000;
}

/**
 * Registers the test for one of two equal parts of the CI schedules (one file each, so the runner
 * runs them in parallel). Batches of 500 keep a failure report short and show progress.
 */
export function testSchedulePart(part: 1 | 2): void {
  test(`random schedules, part ${part}: no violations`, () => {
    const count = schedulesPerFile();
    const from = 1 + (part - 1) * count;
    for (let start = from; start < from + count; start += 500) {
      const report = runBatch(start, Math.min(500, from + count - start));
      assert.deepEqual(report.failures, [], `seeds ${start}..${start + report.schedules - 1}:\n${report.failures.join('\n')}`);
    }
  });
}

/** How many real-shell schedules CI runs; SIM_RUNTIME_SCHEDULES overrides it for longer local soaks. */
export function runtimeSchedules(): number {
  const fromEnv = Number(process.env['SIM_RUNTIME_SCHEDULES']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 300;
}
