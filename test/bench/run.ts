// `npm run bench [-- --quick]`: every benchmark, bounded in time, printing a markdown table with
// each figure next to its anchor measured in the same run.

import { cpus, totalmem } from 'node:os';
import { benchCliLatency, latencyTable } from './cli-latency.js';

const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`## Benchmarks (${quick ? 'quick' : 'full'} run)\n\nMachine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.\n\n`);
  process.stdout.write(latencyTable(await benchCliLatency(quick ? 5 : 30)) + '\n');
}

await main();
