// Every curated mutant still applies to the current source (its snippet occurs exactly once) and names
// test files that exist, so `npm run mutants` never passes by testing nothing after code moved.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { transformSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { MUTANTS, occurrences } from './catalogue.js';

/** The repository root, from dist/test/mutants/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('every mutant applies to exactly one place in the current source', () => {
  const stale = MUTANTS.map((m) => ({ m, n: occurrences(readFileSync(join(ROOT, m.file), 'utf8'), m.find) }))
    .filter(({ n }) => n !== 1)
    .map(({ m, n }) => `mutant ${m.name} no longer applies: its snippet occurs ${n} times in ${m.file} (update test/mutants/catalogue.ts)`);
  assert.deepEqual(stale, []);
});

test('every mutated source still parses, so a run tests the break, not a syntax error', () => {
  for (const m of MUTANTS) {
    const source = readFileSync(join(ROOT, m.file), 'utf8').replace(m.find, () => m.replace);
    assert.doesNotThrow(() => transformSync(source, { loader: 'ts', format: 'esm' }), `mutant ${m.name} does not parse`);
  }
});

test('every mutant names existing tests, a distinct name, and a change', () => {
  assert.ok(MUTANTS.length >= 15);
  assert.equal(new Set(MUTANTS.map((m) => m.name)).size, MUTANTS.length);
  for (const m of MUTANTS) {
    assert.ok(m.tests.length > 0, `${m.name} names no tests`);
    for (const t of m.tests) assert.ok(existsSync(join(ROOT, t)), `${m.name}: ${t} does not exist`);
    assert.notEqual(m.find, m.replace, `${m.name} changes nothing`);
  }
  for (const name of ['runtime-forgets-vote', 'commit-previous-term', 'transfer-unconfirmed']) {
    assert.ok(MUTANTS.some((m) => m.name === name), `the issue-15 mutant ${name} is missing`);
  }
});
