// Runs every scenario script under test/raft/testdata and compares the output; REWRITE=1 regenerates it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InteractionEnv, parseScript, renderScript } from './interaction.js';

// Compiled to dist/test/raft/, the scripts stay in the source tree.
const dir = fileURLToPath(new URL('../../../test/raft/testdata/', import.meta.url));
const rewrite = process.env['REWRITE'] === '1';

for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`scenario ${file}`, () => {
    const path = dir + file;
    const blocks = parseScript(readFileSync(path, 'utf8'));
    assert.ok(blocks.length > 0, `${file} has no commands`);
    const env = new InteractionEnv();
    const actual = blocks.map((b) => ({ ...b, expected: env.run(b.command) }));
    if (rewrite) {
      writeFileSync(path, renderScript(actual));
      return;
    }
    for (let i = 0; i < blocks.length; i++) {
      assert.equal(actual[i]!.expected, blocks[i]!.expected, `${file}: output of "${blocks[i]!.command}" (block ${i + 1}) differs; run with REWRITE=1 and review the diff`);
    }
  });
}
