// --help, rendered from the one option table: with each value's name (-conn HOST:PORT), in the
// single-dash style syncobj_admin and the README use, wrapped to the terminal or to 80 columns in a pipe.
// yargs cannot name an option's value, so it no longer renders the help.

import { OPTIONS, type OptionSpec } from './options.js';

export const USAGE = `Usage: syncobj-admin -conn HOST:PORT [-pass PASSWORD | -pass-file FILE]
                     COMMAND [options]
       syncobj-admin completion >> ~/.bashrc`;

const ABOUT =
  'Talks to one member of a Raft cluster (PySyncObj or syncobj-node) over its admin protocol. ' +
  'Every option also works with two dashes (--status). The password may also come from the ' +
  'SYNCOBJ_PASSWORD environment variable.';

export const EXIT_CODES =
  'Exit codes: 0 ok, 1 command failed, 2 usage, 3 unreachable, 4 auth/protocol, 5 timeout, 6 degraded, ' +
  '7 no quorum, 8 diverged, 70 internal error, 74 output not written. See syncobj-admin(1).';

const GROUPS: readonly OptionSpec['group'][] = ['Actions:', 'Connection:', 'Output:'];

const OTHER: readonly [string, string][] = [
  ['-h, -help', 'show this help'],
  ['-version', 'print the version (syncobj-admin 0.x.y)'],
  ['completion', 'print a bash/zsh completion script (given alone)'],
];

/** Widest help worth reading; a wider terminal gets no longer lines. */
const MAX_WIDTH = 100;
const MIN_WIDTH = 40;

export function renderHelp(columns: number): string {
  const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, columns));
  const rows = new Map<string, [string, string][]>(GROUPS.map((g) => [g, []]));
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    rows.get(spec.group)!.push([`-${name}${spec.value ? ` ${spec.value}` : ''}`, spec.describe]);
  }
  rows.set('Other:', [...OTHER]);
  const all = [...rows.values()].flat();
  const left = Math.max(...all.map(([term]) => term.length)) + 4;
  const lines = [USAGE, '', ...wrap(ABOUT, width)];
  for (const [group, entries] of rows) {
    lines.push('', group);
    for (const [term, text] of entries) lines.push(...row(term, text, left, width));
  }
  lines.push('', ...wrap(EXIT_CODES, width));
  return lines.join('\n') + '\n';
}

/** One option: its term, then its description in a column; below the term when the column would be too narrow. */
function row(term: string, text: string, left: number, width: number): string[] {
  const column = width - left;
  if (column < 30) return [`  ${term}`, ...wrap(text, width - 6).map((l) => `      ${l}`)];
  const [first = '', ...rest] = wrap(text, column);
  return [`  ${term.padEnd(left - 2)}${first}`, ...rest.map((l) => ' '.repeat(left) + l)];
}

/** Greedy word wrap; a word longer than the width stands alone on its line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
