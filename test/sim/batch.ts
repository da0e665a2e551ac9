// Runs a range of seeded schedules in-process and collects the failures with their replay commands.
import { runSchedule } from './schedule.js';

export interface BatchReport {
  schedules: number;
  failures: string[];
}

export function runBatch(from: number, count: number): BatchReport {
  const failures: string[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const outcome = runSchedule(seed);
    if (outcome.violations.length > 0) {
      failures.push(`seed ${seed}: ${outcome.violations.join('\n  ')}\n  replay: npm run sim -- --seeds 1 --from ${seed} --trace`);
    }
  }
  return { schedules: count, failures };
}

/** How many schedules each CI file runs; SIM_SCHEDULES_PER_FILE overrides it for longer local soaks. */
export function schedulesPerFile(): number {
  const fromEnv = Number(process.env['SIM_SCHEDULES_PER_FILE']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 5000;
}
