// `npm run mutants [NAME...] [--list]`: applies each curated mutant (test/mutants/catalogue.ts) to a copy
// of the built project, rebuilds what it changed, and runs the tests mapped to it. A mutant is killed
// when one of them fails. Prints `N mutants, K killed, S survived`; exit 1 if any survived or a mutant
// no longer applies. The working tree is never touched.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTANTS, occurrences, type Mutant } from './catalogue.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Per test file; a mutant that makes a test hang is killed by this, not left running. */
const TEST_TIMEOUT_MS = 240_000;

function select(argv: string[]): { mutants: Mutant[]; list: boolean } {
  const list = argv.includes('--list');
  const names = argv.filter((a) => a !== '--list');
  const unknown = names.filter((n) => !MUTANTS.some((m) => m.name === n));
  if (unknown.length > 0) throw new Error(`no mutant named ${unknown.join(', ')} (see npm run mutants -- --list)`);
  return { mutants: names.length === 0 ? MUTANTS : MUTANTS.filter((m) => names.includes(m.name)), list };
}

function run(command: string, args: string[], cwd: string): { code: number; output: string } {
  const env = { ...process.env };
  // Run from a test runner (or not), the tests of the copy must run as a fresh `node --test` runs them.
  delete env['NODE_TEST_CONTEXT'];
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  return { code: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A copy of the built project with node_modules linked, the mutant applied and its file rebuilt. */
function mutatedCopy(m: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), `syncobj-mutant-${m.name}-`));
  for (const part of ['src', 'test', 'bin', 'man', 'dist', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const path = join(dir, m.file);
  const source = readFileSync(path, 'utf8');
  writeFileSync(path, source.replace(m.find, () => m.replace));
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  const out = join(dir, 'dist', m.file.replace(/\.ts$/, '.js'));
  const steps: [string, string[]][] = [
    [esbuild, [m.file, '--format=esm', '--platform=node', '--target=es2022', '--log-level=warning', `--outfile=${out}`]],
    // The CLI ships as one bundle: rebuild it the way `npm run build` does.
    [esbuild, ['dist/src/cli/main.js', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning', '--outfile=dist/bundle/syncobj-admin.js']],
  ];
  for (const [command, args] of steps) {
    const r = run(command, args, dir);
    if (r.code !== 0) throw new Error(`mutant ${m.name} does not build:\n${r.output}`);
  }
  return dir;
}

/** Runs the mapped tests one file at a time; the first that fails kills the mutant. */
function attack(m: Mutant): { killedBy: string | null; seconds: number } {
  const started = performance.now();
  const dir = mutatedCopy(m);
  try {
    for (const test of m.tests) {
      const file = join('dist', test.replace(/\.ts$/, '.js'));
      const r = run(process.execPath, ['--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, file], dir);
      if (r.code !== 0) return { killedBy: test, seconds: (performance.now() - started) / 1000 };
    }
    return { killedBy: null, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  let selection;
  try {
    selection = select(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { mutants, list } = selection;
  if (list) {
    for (const m of mutants) console.log(`${m.name}\n  breaks: ${m.breaks}\n  guarantee: ${m.guarantee}\n  in ${m.file}; killed by ${m.tests.join(' or ')}`);
    return 0;
  }
  const stale = mutants.filter((m) => occurrences(readFileSync(join(ROOT, m.file), 'utf8'), m.find) !== 1);
  for (const m of stale) console.error(`mutant ${m.name} no longer applies: its snippet is not exactly once in ${m.file}; update test/mutants/catalogue.ts`);
  if (stale.length > 0) return 1;
  const started = performance.now();
  const survivors: string[] = [];
  for (const m of mutants) {
    const { killedBy, seconds } = attack(m);
    if (killedBy === null) survivors.push(m.name);
    console.log(`${killedBy ? 'killed  ' : 'SURVIVED'} ${m.name} (${seconds.toFixed(1)} s)${killedBy ? ` by ${killedBy}` : `: ${m.tests.join(', ')} all pass`}`);
  }
  console.log(`${mutants.length} mutants, ${mutants.length - survivors.length} killed, ${survivors.length} survived (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  if (survivors.length > 0) console.log(`survivors: ${survivors.join(', ')}`);
  return survivors.length > 0 ? 1 : 0;
}

process.exitCode = main();
