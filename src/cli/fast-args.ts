// The hot path's argv scanner: handles well-formed invocations in microseconds so that a
// `-status` never loads yargs (about 0.16 s of start-up here). Anything it is unsure of
// returns null, and yargs parses instead and gives the error or the help text.

import { OPTIONS, type OptionName, type ParsedOptions } from './options.js';

const FLAG = /^--?([a-z_][a-z_-]*)(?:=(.*))?$/s;

export function scanArgs(argv: readonly string[]): ParsedOptions | null {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = FLAG.exec(argv[i]!);
    if (!m || !Object.hasOwn(OPTIONS, m[1]!)) return null;
    const name = m[1] as OptionName;
    if (Object.hasOwn(out, name)) return null;
    const spec = OPTIONS[name];
    if (spec.type === 'boolean') {
      if (m[2] !== undefined) return null;
      out[name] = true;
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) return null;
      value = argv[++i]!;
      if (FLAG.test(value)) return null;
    }
    if (spec.type === 'number') {
      if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value)) return null;
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out as ParsedOptions;
}
