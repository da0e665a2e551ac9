// The man page documents every flag --help shows, and every exit code the CLI defines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONS } from '../../src/cli/options.js';
import { ExitCode } from '../../src/errors.js';
import { repoRoot } from '../fixtures/paths.js';
import { run } from '../support/processes.js';

const page = readFileSync(join(repoRoot, 'man', 'syncobj-admin.1'), 'utf8');
/** roff escapes dashes; compare on the plain text. */
const plain = page.replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');

test('every flag in --help appears in syncobj-admin(1)', async () => {
  const help = await run(process.execPath, [join(repoRoot, 'bin', 'syncobj-admin'), '--help']);
  assert.equal(help.code, 0);
  const flags = [...help.stdout.matchAll(/--([a-z_-]+)/g)].map((m) => m[1]!);
  assert.ok(flags.length >= Object.keys(OPTIONS).length, 'help lists the options');
  for (const flag of new Set(flags)) assert.match(plain, new RegExp(`-${flag}\\b`), `-${flag} is missing from the man page`);
  for (const name of Object.keys(OPTIONS)) assert.ok(help.stdout.includes(`--${name}`), `--${name} is missing from --help`);
});

test('every exit code is documented', () => {
  for (const code of Object.values(ExitCode)) assert.match(plain, new RegExp(`^\\.B ${code}$`, 'm'), `exit code ${code}`);
});
