// The yargs parser for everything off the hot path: --help, completion, and the error for a
// malformed invocation. Built from the same option table as the fast scanner.

import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { OPTIONS, type OptionName, type OptionSpec, type ParsedOptions } from './options.js';

export const USAGE = `Usage: syncobj-admin -conn HOST:PORT [-pass PASSWORD | -pass-file FILE] COMMAND [options]

Talks to one member of a Raft cluster (PySyncObj or syncobj-node) over its admin protocol.
Every option also works with two dashes (--status). The password may also come from the
SYNCOBJ_PASSWORD environment variable.`;

/** yargs is imported here, on demand: a static import would put it on every run's start-up once bundled. */
export async function buildParser(argv: readonly string[]): Promise<Argv> {
  const { default: yargs } = await import('yargs');
  let parser = yargs([...argv])
    .scriptName('syncobj-admin')
    .usage(USAGE)
    .parserConfiguration({ 'short-option-groups': false, 'boolean-negation': false, 'camel-case-expansion': false, 'duplicate-arguments-array': false, 'strip-aliased': true })
    .strictOptions()
    .help('help')
    .alias('help', 'h')
    .version(false)
    .completion('completion', 'print a bash/zsh completion script')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilogue('Exit codes: 0 ok, 1 command failed, 2 usage, 3 unreachable, 4 auth/protocol, 5 timeout, 6 degraded, 7 no quorum, 8 diverged. See syncobj-admin(1).')
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(msg || err?.message || 'invalid arguments');
    });
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    parser = parser.option(name, { type: spec.type, describe: spec.describe, group: spec.group, requiresArg: spec.type !== 'boolean' });
  }
  return parser;
}

export type FullParse = { kind: 'options'; options: ParsedOptions } | { kind: 'printed' };

/** Parses with yargs; 'printed' means yargs wrote help or a completion script itself. */
export async function parseWithYargs(argv: readonly string[]): Promise<FullParse> {
  const parser = await buildParser(argv);
  let printed = false;
  const args = await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
    if (output) {
      printed = true;
      process.stdout.write(output.endsWith('\n') ? output : output + '\n');
    }
  });
  if (printed || args['help']) return { kind: 'printed' };
  if (args._.length) throw new UsageError(`unexpected argument '${String(args._[0])}'`);
  const options: Record<string, unknown> = {};
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const value = args[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) throw new UsageError(`-${name} given more than once`);
    if (typeof value === 'number' && Number.isNaN(value)) throw new UsageError(`-${name} needs a number`);
    options[name] = value;
  }
  return { kind: 'options', options: options as ParsedOptions };
}
