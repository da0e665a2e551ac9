// The man page documents every flag --help shows, and every exit code the CLI defines; both
// render as people read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONS } from '../../src/cli/options.js';
import { ExitCode } from '../../src/errors.js';
import { repoRoot } from '../fixtures/paths.js';
import { run } from '../support/processes.js';

const source = readFileSync(join(repoRoot, 'man', 'syncobj-admin.1'), 'utf8');
/** roff escapes dashes; compare on the plain text. */
const plain = source.replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');

test('every flag in --help appears in syncobj-admin(1), and every option in --help', async () => {
  const help = await run(process.execPath, [join(repoRoot, 'bin', 'syncobj-admin'), '--help']);
  assert.equal(help.code, 0);
  const flags = [...help.stdout.matchAll(/^ {2}(?:-h, )?-([a-z_-]+)/gm)].map((m) => m[1]!);
  assert.ok(flags.length >= Object.keys(OPTIONS).length, 'help lists the options');
  for (const flag of new Set(flags)) assert.match(plain, new RegExp(`-${flag}\\b`), `-${flag} is missing from the man page`);
  for (const name of Object.keys(OPTIONS)) assert.match(help.stdout, new RegExp(`^ {2}-${name}\\b`, 'm'), `-${name} is missing from --help`);
});

test('every exit code is documented, in the man page and in --help', async () => {
  const help = await run(process.execPath, [join(repoRoot, 'bin', 'syncobj-admin'), '--help']);
  const epilogue = help.stdout.slice(help.stdout.indexOf('Exit codes:')).replace(/\s+/g, ' ');
  for (const code of Object.values(ExitCode)) {
    assert.match(plain, new RegExp(`^\\.B ${code}$`, 'm'), `exit code ${code} in the man page`);
    assert.match(epilogue, new RegExp(`\\b${code} [a-z]`), `exit code ${code} in --help`);
  }
});

test('no macro spaces out punctuation: ".B -h \\", \\" --help" renders as "-h ,  --help"', () => {
  const spaced = source.split('\n').filter((line) => /^\.(B|I) .*"[,;.:] ?"/.test(line));
  assert.deepEqual(spaced, [], 'use .BR/.IR to join punctuation to a word');
});

test('rendered by man, the help options read "-h, -help"', { skip: existsSync('/usr/bin/nroff') ? false : 'SKIPPED: nroff is not installed' }, () => {
  const out = spawnSync('/usr/bin/nroff', ['-man', join(repoRoot, 'man', 'syncobj-admin.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80' } });
  const text = out.stdout.replace(/.\x08/g, '');
  assert.match(text, /^ +-h, -help$/m);
  assert.doesNotMatch(text, /-h ,/);
});
