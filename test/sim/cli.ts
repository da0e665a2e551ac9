// `npm run sim -- --seeds N [--from S] [--trace] [--stats] [--forget-term] [--runtime] [--quiet]`: runs
// random schedules and reports violations with replayable seeds (--quiet: one line per failing seed, for
// counting how many seeds catch a bug). --forget-term runs them against a shell with
// PySyncObj's issue-201 bug (term and vote not restored), to see the checks catch it. --runtime runs the
// real shell (RaftRuntime and NodeStorage on simulated disks) instead of the pure core.
import { runRuntimeSchedule } from './runtime-schedule.js';
import { runSchedule, type ScheduleOutcome } from './schedule.js';

interface Args {
  seeds: number;
  from: number;
  trace: boolean;
  stats: boolean;
  forgetTerm: boolean;
  runtime: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  let seeds = 1000;
  let from = 1;
  let trace = false;
  let stats = false;
  let forgetTerm = false;
  let runtime = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${arg} needs a non-negative integer`);
      return v;
    };
    if (arg === '--seeds') seeds = value();
    else if (arg === '--from' || arg === '--seed') from = value();
    else if (arg === '--trace') trace = true;
    else if (arg === '--stats') stats = true;
    else if (arg === '--forget-term') forgetTerm = true;
    else if (arg === '--runtime') runtime = true;
    else if (arg === '--quiet') quiet = true;
    else throw new Error(`unknown argument ${arg} (usage: --seeds N [--from S] [--trace] [--stats] [--forget-term] [--runtime] [--quiet])`);
  }
  if (runtime && forgetTerm) throw new Error('--forget-term emulates a bug of the pure-core shell; it does not apply to --runtime');
  return { seeds, from, trace, stats, forgetTerm, runtime, quiet };
}

function run(seed: number, args: Args, trace: boolean): Promise<ScheduleOutcome> {
  if (args.runtime) return runRuntimeSchedule(seed, { trace });
  return Promise.resolve(runSchedule(seed, { trace, forgetTermOnRestart: args.forgetTerm }));
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  let violations = 0;
  let failingSeeds = 0;
  const stats = new Map<string, number>();
  const started = process.hrtime.bigint();
  for (let seed = args.from; seed < args.from + args.seeds; seed++) {
    const outcome = await run(seed, args, args.trace);
    for (const [k, v] of outcome.stats) stats.set(k, (stats.get(k) ?? 0) + v);
    if (outcome.violations.length === 0) continue;
    violations += outcome.violations.length;
    failingSeeds++;
    if (args.quiet) {
      console.log(`seed ${seed}: ${outcome.violations[0]!.split('\n')[0]}`);
      continue;
    }
    console.log(`seed ${seed}: ${outcome.violations.length} violation(s)`);
    for (const v of outcome.violations) console.log(`  ${v}`);
    // Replays are exact: the same seed gives the same schedule, so its trace can always be printed.
    const replay = args.trace ? outcome : await run(seed, args, true);
    const lines = replay.trace ?? [];
    const shown = args.trace ? lines : lines.slice(-80);
    if (shown.length < lines.length) console.log(`  last ${shown.length} of ${lines.length} trace lines:`);
    for (const line of shown) console.log(`    ${line}`);
    console.log(`  replay: npm run sim -- --seeds 1 --from ${seed} --trace${args.forgetTerm ? ' --forget-term' : ''}${args.runtime ? ' --runtime' : ''}`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (args.stats) for (const [k, v] of [...stats].sort()) console.error(`  ${k}: ${v}`);
  console.error(`(${(ms / 1000).toFixed(1)} s)`);
  console.log(`${args.seeds} schedules, ${violations} violations in ${failingSeeds} schedules`);
  if (violations > 0) process.exitCode = 1;
}

// `node --test dist/test/` runs every file under a test/ folder, this one included: do nothing there.
if (process.env['NODE_TEST_CONTEXT'] === undefined) await main();
