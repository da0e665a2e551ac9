// Where a member's password comes from: a file its owner alone may read is used quietly, one its group
// may read is used with a warning, one anybody may read is refused; an empty file is an error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { readPassword } from '../../src/node/password-source.js';

test('the password file: 0600 quietly, 0640 with a warning, 0644 refused, empty refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syncobj-password-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pw');
  writeFileSync(file, 'sekret\n');
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(text);

  chmodSync(file, 0o600);
  assert.equal(await readPassword(file, {}, warn), 'sekret');
  assert.deepEqual(warnings, []);

  chmodSync(file, 0o640);
  assert.equal(await readPassword(file, {}, warn), 'sekret');
  assert.deepEqual(warnings, [`warning: password file ${file} is accessible to its group (mode 0640); chmod 600 it`]);

  chmodSync(file, 0o644);
  await assert.rejects(readPassword(file, {}, warn), (err) => err instanceof UsageError && /world-readable; chmod 600 it first/.test(err.message));

  writeFileSync(file, '');
  chmodSync(file, 0o600);
  await assert.rejects(readPassword(file, {}, warn), (err) => err instanceof UsageError && /is empty/.test(err.message));
  assert.equal(await readPassword(null, { SYNCOBJ_PASSWORD: 'from-env' }, warn), 'from-env');
  assert.equal(await readPassword(null, { SYNCOBJ_PASSWORD: '' }, warn), null);
});
