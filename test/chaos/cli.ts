// `npm run chaos -- --seconds S --seed N [--nodes 3] [--clients 5] [--keys 4] [--fsync always|never] [--faults a,b] [--client kv-client|single-attempt]
// [--history FILE] [--quiet]`:
// one chaos run against real syncobj-node processes; the last line sums it up; exit 1 on any violation.

import { writeFileSync } from 'node:fs';
import { describeOp } from './history.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { snapshotNode } from './node-snapshot.js';
import { runChaos, summaryLine } from './run-chaos.js';

function parse(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) flags.set(arg.slice(2), '');
    else flags.set(arg.slice(2), argv[++i]!);
  }
  return flags;
}

function int(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return Number(raw);
}

async function main(): Promise<number> {
  let flags: Map<string, string>;
  let faultKinds: FaultKind[] | undefined;
  try {
    flags = parse(process.argv.slice(2));
    const f = flags.get('faults');
    if (f !== undefined) {
      faultKinds = f.split(',') as FaultKind[];
      for (const k of faultKinds) if (!FAULT_KINDS.includes(k)) throw new Error(`unknown fault '${k}'; known: ${FAULT_KINDS.join(',')}`);
    }
    int(flags, 'seconds', 0);
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n`);
    return 2;
  }
  const seed = int(flags, 'seed', Math.floor(Math.random() * 1_000_000));
  const fsync = flags.get('fsync') === 'always' ? 'always' : 'never';
  const quiet = flags.has('quiet');
  const snapshot = snapshotNode();
  const result = await runChaos({
    seconds: int(flags, 'seconds', 60),
    seed,
    size: int(flags, 'nodes', 3),
    clients: int(flags, 'clients', 5),
    keys: int(flags, 'keys', 4),
    fsync,
    client: flags.get('client') === 'single-attempt' ? 'single-attempt' : 'kv-client',
    nodeBin: snapshot.nodeBin,
    ...(faultKinds ? { faultKinds } : {}),
    log: (line) => {
      if (!quiet) process.stdout.write(line + '\n');
    },
  }).finally(() => snapshot.remove());
  const historyFile = flags.get('history');
  if (historyFile) writeFileSync(historyFile, result.history.map(describeOp).join('\n') + '\n');
  const c = result.counts;
  process.stdout.write(`chaos: ${c.ok} acknowledged, ${c.unknown} unknown or unanswered, ${c.fail} failed; ${(result.elapsedMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(`chaos: checker steps per key: ${result.keyResults.map((k) => `${k.key}=${k.operations} ops/${k.steps} steps/${k.verdict}`).join(' ')}\n`);
  if (result.inconclusiveKeys.length > 0) process.stdout.write(`chaos: inconclusive (search budget exhausted) for ${result.inconclusiveKeys.join(',')}\n`);
  for (const v of result.violations) process.stdout.write(`VIOLATION: ${v}\n`);
  const replay = [...flags].filter(([k]) => k !== 'seed' && k !== 'history').map(([k, v]) => `--${k}${v === '' ? '' : ` ${v}`}`);
  process.stdout.write(`chaos: replay the schedule with: npm run chaos -- ${[...replay, `--seed ${seed}`].join(' ')}\n`);
  process.stdout.write(summaryLine(result) + '\n');
  return result.violations.length > 0 ? 1 : 0;
}

process.exitCode = await main();
