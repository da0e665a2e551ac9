// Shell completion: the words to offer for a partly typed command line. The script yargs generates
// (`syncobj-admin completion`) calls `syncobj-admin --get-yargs-completions WORDS...`; the answer is
// computed here from the option table, without loading yargs.

import { OPTIONS, type OptionName } from './options.js';

/** The flag that the generated script passes first. */
export const COMPLETION_REQUEST = '--get-yargs-completions';

/** Values an option accepts, where there is a fixed set; members of the cluster would need the network. */
const VALUES: Partial<Record<OptionName, readonly string[]>> = {
  wire: ['auto', 'native', 'pysyncobj'],
  transfer: ['auto'],
};

/**
 * `words` as the shell split the line, the program's name first and the word being completed last
 * (empty after a space). Flags are offered in the style being typed: `-st` gives `-status`,
 * `--st` gives `--status`. An empty answer lets bash fall back to file names (for -pass-file).
 */
export function completeWords(words: readonly string[]): string[] {
  const typed = words.slice(1);
  const current = typed.at(-1) ?? '';
  // bash splits `--wire=` into `--wire`, `=`, ``.
  const before = typed.at(-2) === '=' ? typed.at(-3) : typed.at(-2);
  const option = before === undefined ? undefined : optionNamed(before);
  if (option !== undefined && OPTIONS[option].type !== 'boolean') return (VALUES[option] ?? []).filter((v) => v.startsWith(current));
  const used = new Set(typed.slice(0, -1).map(optionNamed).filter((n) => n !== undefined));
  const dashes = current.startsWith('--') ? '--' : '-';
  const flags = (Object.keys(OPTIONS) as OptionName[]).filter((n) => !used.has(n)).map((n) => dashes + n);
  if (typed.length <= 1) flags.push(`${dashes}help`, `${dashes}version`, 'completion');
  return flags.filter((f) => f.startsWith(current));
}

function optionNamed(word: string): OptionName | undefined {
  const name = /^--?([a-z_-]+)$/.exec(word)?.[1];
  return name !== undefined && Object.hasOwn(OPTIONS, name) ? (name as OptionName) : undefined;
}

/** The bash or zsh script (yargs' template, which picks zsh from $SHELL), as text. */
export async function completionScript(): Promise<string> {
  const { default: yargs } = await import('yargs');
  let script = '';
  // With a parse callback yargs hands its output over instead of printing it.
  await yargs(['completion'])
    .scriptName('syncobj-admin')
    .completion('completion', false)
    .exitProcess(false)
    .parseAsync(['completion'], {}, (_err, _argv, output) => {
      script = output;
    });
  return script.endsWith('\n') ? script : `${script}\n`;
}
