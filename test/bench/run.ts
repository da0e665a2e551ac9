// `npm run bench [-- --quick] [-- --only cli,sweep,throughput,outage,growth]`: every benchmark, bounded in
// time, printing one markdown table per section with each figure next to its anchor measured in the
// same run, and the machine it ran on. Progress goes to stderr; the report to stdout.

import { cpus, loadavg, totalmem } from 'node:os';
import { benchCliLatency, benchClusterCli, clusterCliTable, latencyTable } from './cli-latency.js';
import { benchGrowth, growthTables, GROWTH_FULL, GROWTH_QUICK } from './growth.js';
import { benchOutage, outageTable, OUTAGE_FULL, OUTAGE_QUICK } from './outage.js';
import { benchThroughput, throughputTables, THROUGHPUT_FULL, THROUGHPUT_QUICK } from './throughput.js';
import { benchSweep, sweepTable, SWEEP_FULL, SWEEP_QUICK } from './sweep.js';
import { progress } from './util.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const wanted = (section: string) => only === null || only.has(section);

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg().map((l) => l.toFixed(2)).join(', ');
  return `Machine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}; load average at start ${load}.`;
}

async function section(name: string, body: () => Promise<string>): Promise<void> {
  if (!wanted(name)) return;
  const t0 = performance.now();
  progress(`${name}: start`);
  let text: string;
  try {
    text = await body();
  } catch (err) {
    text = `### ${name}\n\nFAILED: ${(err as Error).stack ?? String(err)}\n`;
    process.exitCode = 1;
  }
  process.stdout.write(text + '\n');
  progress(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The whole run (after the build) stays within this; later sections get what earlier ones left. */
const TOTAL_BUDGET_MS = quick ? 140_000 : 450_000;

async function main(): Promise<void> {
  const t0 = performance.now();
  const left = () => TOTAL_BUDGET_MS - (performance.now() - t0);
  process.stdout.write(`## Benchmarks (${quick ? 'quick' : 'full'} run)\n\n${machineLine()}\n\n`);
  await section('cli', async () => latencyTable(await benchCliLatency(quick ? 5 : 20)));
  await section('cli', async () => clusterCliTable(await benchClusterCli(quick ? 5 : 10)));
  await section('sweep', async () => sweepTable(await benchSweep(quick ? SWEEP_QUICK : SWEEP_FULL)));
  await section('throughput', async () => throughputTables(await benchThroughput(quick ? THROUGHPUT_QUICK : THROUGHPUT_FULL)));
  const outage = quick ? OUTAGE_QUICK : OUTAGE_FULL;
  const growth = quick ? GROWTH_QUICK : GROWTH_FULL;
  // The growth section needs about 40% of its budget at least; the outage section yields to it.
  await section('outage', async () => outageTable(await benchOutage({ ...outage, budgetMs: Math.max(20_000, Math.min(outage.budgetMs, left() - 0.4 * growth.budgetMs)) })));
  await section('growth', async () => growthTables(await benchGrowth({ ...growth, budgetMs: Math.max(15_000, Math.min(growth.budgetMs, left())) })));
  const end = loadavg().map((l) => l.toFixed(2)).join(', ');
  process.stdout.write(`Total ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${end}.\n`);
}

await main();
// Every child was stopped by its section; do not let a stray client socket keep the run alive.
process.exit(process.exitCode ?? 0);
