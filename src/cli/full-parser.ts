// The yargs parser for invocations the fast scanner declined: it gives the error for a malformed
// line. Built from the same option table. Help and completion are rendered without it.

import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { OPTIONS, type OptionName, type OptionSpec, type ParsedOptions } from './options.js';

/** yargs is imported here, on demand: a static import would put it on every run's start-up once bundled. */
export async function buildParser(argv: readonly string[]): Promise<Argv> {
  const { default: yargs } = await import('yargs');
  let parser = yargs([...argv])
    .scriptName('syncobj-admin')
    .parserConfiguration({ 'short-option-groups': false, 'boolean-negation': false, 'camel-case-expansion': false, 'duplicate-arguments-array': false, 'strip-aliased': true })
    .strictOptions()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(msg || err?.message || 'invalid arguments');
    });
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    // Numbers arrive as text and are checked below, so that an error can quote what was typed ('' is not 0).
    parser = parser.option(name, { type: spec.type === 'number' ? 'string' : spec.type, requiresArg: spec.type !== 'boolean' });
  }
  return parser;
}

export async function parseWithYargs(argv: readonly string[]): Promise<ParsedOptions> {
  const parser = await buildParser(argv);
  const args = await parser.parseAsync([...argv]);
  if (args._.length) throw new UsageError(`unexpected argument '${String(args._[0])}'`);
  const options: Record<string, unknown> = {};
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const value = args[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) throw new UsageError(`-${name} given more than once`);
    options[name] = OPTIONS[name].type === 'number' ? toNumber(name, String(value)) : value;
  }
  return options as ParsedOptions;
}

function toNumber(name: OptionName, text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(value)) throw new UsageError(`-${name} needs a number, not '${text}'`);
  return value;
}
