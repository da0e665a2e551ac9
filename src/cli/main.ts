// syncobj-admin's entry: parse, start the key derivation, then load and run the rest. The
// order is the latency budget: PBKDF2 (about 50 ms) runs while the network code loads.

import { ExitCode, SyncobjError, type ExitCodeValue } from '../errors.js';
import { PasswordKeys } from '../client/password-keys.js';
import { scanArgs } from './fast-args.js';
import { resolveInvocation } from './invocation.js';
import { processOutput, type Output } from './output.js';
import type { ParsedOptions } from './options.js';

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output = processOutput): Promise<ExitCodeValue> {
  let json = argv.includes('-json') || argv.includes('--json');
  try {
    let options: ParsedOptions | null = scanArgs(argv);
    if (options === null) {
      const { parseWithYargs } = await import('./full-parser.js');
      const parsed = await parseWithYargs(argv);
      if (parsed.kind === 'printed') return ExitCode.ok;
      options = parsed.options;
    }
    const inv = resolveInvocation(options, env, io.isTTY);
    json = inv.json;
    const keys = new PasswordKeys(inv.password);
    for (const w of inv.warnings) io.err(`syncobj-admin: ${w}\n`);
    const { runInvocation } = await import('./run.js');
    return await runInvocation(inv, keys, io);
  } catch (err) {
    return report(err, json, io);
  }
}

function report(err: unknown, json: boolean, io: Output): ExitCodeValue {
  if (err instanceof SyncobjError) {
    io.err(`syncobj-admin: ${err.message}\n`);
    if (json) io.out(JSON.stringify({ ok: false, exit_code: err.exitCode, error: err.name, message: err.message }) + '\n');
    return err.exitCode;
  }
  // Not an input problem: a bug in this tool, so the stack is worth showing.
  io.err(`syncobj-admin: internal error, please report it: ${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.internal;
}
