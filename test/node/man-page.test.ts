// syncobj-node(1) documents every flag the node's --help lists, and both subcommands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/paths.js';
import { NODE_USAGE } from '../../src/node/node-config.js';

test('every flag in --help appears in the man page', () => {
  const page = readFileSync(join(repoRoot, 'man', 'syncobj-node.1'), 'utf8').replace(/\\-/g, '-');
  const flags = new Set(NODE_USAGE.match(/--[a-z][a-z-]+/g));
  assert.ok(flags.size > 10);
  for (const flag of flags) assert.ok(page.includes(flag), `${flag} is missing from man/syncobj-node.1`);
  for (const section of ['KV SUBCOMMAND', 'DEV SUBCOMMAND', 'EXAMPLES', 'read_barrier', 'storage_fault']) assert.ok(page.includes(section), section);
});
