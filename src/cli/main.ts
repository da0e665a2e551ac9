// syncobj-admin's entry: parse, start the key derivation, then load and run the rest. The
// order is the latency budget: PBKDF2 (about 50 ms) runs while the network code loads.

import { ExitCode, SyncobjError, type ExitCodeValue } from '../errors.js';
import { PasswordKeys } from '../client/password-keys.js';
import { asksForVersion, packageVersion } from '../package-version.js';
import { describeError, healthErrorJson } from './error-report.js';
import { COMPLETION_REQUEST, completeWords, completionScript } from './completion.js';
import { scanArgs } from './fast-args.js';
import { renderHelp } from './help.js';
import { resolveInvocation } from './invocation.js';
import { processOutput, type Output } from './output.js';
import type { ParsedOptions } from './options.js';

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output = processOutput): Promise<ExitCodeValue> {
  const code = await respond(argv, env, io);
  const failed = await io.finish?.();
  if (!failed) return code;
  // Whoever read the output went away (EPIPE) and knows it; anything else is worth a line.
  if (failed.code !== 'EPIPE') io.err(`syncobj-admin: cannot write the output: ${failed.code ?? failed.message}\n`);
  return ExitCode.outputFailed;
}

async function respond(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output): Promise<ExitCodeValue> {
  let json = argv.includes('-json') || argv.includes('--json');
  // A probe gets one JSON shape from -health whatever went wrong (issue 11, item 12).
  let health = argv.includes('-health') || argv.includes('--health');
  try {
    if (argv[0] === COMPLETION_REQUEST) {
      for (const word of completeWords(argv.slice(1))) io.out(`${word}\n`);
      return ExitCode.ok;
    }
    if (argv.length === 1 && argv[0] === 'completion') {
      io.out(await completionScript());
      return ExitCode.ok;
    }
    if (argv.some((a) => a === '-h' || a === '--help' || a === '-help')) {
      io.out(renderHelp(io.columns ?? 80));
      return ExitCode.ok;
    }
    if (asksForVersion(argv)) {
      io.out(`syncobj-admin ${packageVersion()}\n`);
      return ExitCode.ok;
    }
    let options: ParsedOptions | null = scanArgs(argv);
    if (options === null) options = await (await import('./full-parser.js')).parseWithYargs(argv);
    // Only -patroni pays for reading YAML; its module loads the parser on demand.
    const patroni = options.patroni === undefined ? null : await (await import('./patroni-config.js')).readPatroniConfig(options.patroni, env);
    const inv = resolveInvocation(options, env, io.isTTY, patroni);
    json = inv.json;
    health = inv.action.kind === 'health';
    const keys = new PasswordKeys(inv.password);
    for (const w of inv.warnings) io.err(`syncobj-admin: ${w}\n`);
    const { runInvocation } = await import('./run.js');
    return await runInvocation(inv, keys, io);
  } catch (err) {
    return report(err, json, health, io);
  }
}

function report(err: unknown, json: boolean, health: boolean, io: Output): ExitCodeValue {
  const r = describeError(err);
  io.err(r.line);
  if (json && health) io.out(JSON.stringify(healthErrorJson(r)) + '\n');
  else if (json && err instanceof SyncobjError) io.out(JSON.stringify({ ok: false, exit_code: r.exitCode, error: r.name, message: r.message }) + '\n');
  return r.exitCode;
}
