// syncobj-node's flags: what a member needs, defaults, and a UsageError naming the problem otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { parseNodeArgs } from '../../src/node/node-config.js';

const base = ['--self', '127.0.0.1:7001', '--partners', '127.0.0.1:7002,127.0.0.1:7003', '--data-dir', '/tmp/x'];

test('defaults', () => {
  const c = parseNodeArgs(base);
  assert.ok(c !== 'help');
  assert.deepEqual(c.partners, ['127.0.0.1:7002', '127.0.0.1:7003']);
  assert.equal(c.electionMode, 'candidate');
  assert.equal(c.fsync, 'always');
  assert.equal(c.transferOnStop, true);
  assert.equal(c.join, false);
  assert.equal(c.compactEvery, 10_000);
  assert.equal(c.faultDiskFullAfterBytes, null);
});

test('every flag, in both spellings', () => {
  const c = parseNodeArgs([...base, '--election-mode=voter', '--fsync', 'never', '--no-transfer-on-stop', '--join', '--compact-every', '5', '--tick-ms=20', '--election-ticks', '8', '--heartbeat-ticks', '1', '--fault-disk-full-after-bytes', '0', '--password-file', 'pw']);
  assert.ok(c !== 'help');
  assert.equal(c.electionMode, 'voter');
  assert.equal(c.fsync, 'never');
  assert.equal(c.transferOnStop, false);
  assert.equal(c.join, true);
  assert.equal(c.compactEvery, 5);
  assert.equal(c.tickMs, 20);
  assert.equal(c.electionTicks, 8);
  assert.equal(c.faultDiskFullAfterBytes, 0);
  assert.equal(c.passwordFile, 'pw');
});

test('a cluster of one has empty --partners', () => {
  const c = parseNodeArgs(['--self', 'h:1', '--partners', '', '--data-dir', 'd']);
  assert.ok(c !== 'help');
  assert.deepEqual(c.partners, []);
});

test('--help', () => {
  assert.equal(parseNodeArgs(['--help']), 'help');
});

for (const [args, message] of [
  [['--partners', '', '--data-dir', 'd'], /--self HOST:PORT is required/],
  [['--self', 'nope', '--partners', '', '--data-dir', 'd'], /'nope' is not HOST:PORT/],
  [['--self', 'h:1', '--data-dir', 'd'], /--partners is required/],
  [['--self', 'h:1', '--partners', 'h:1', '--data-dir', 'd'], /must not list --self/],
  [['--self', 'h:1', '--partners', ''], /--data-dir DIR is required/],
  [[...base, '--fsync', 'sometimes'], /--fsync must be always or never/],
  [[...base, '--election-mode', 'boss'], /--election-mode must be/],
  [[...base, '--compact-every', '0'], /--compact-every must be an integer >= 1/],
  [[...base, '--heartbeat-ticks', '30'], /--heartbeat-ticks must be below --election-ticks/],
  [[...base, '--bogus'], /unknown option --bogus/],
  [[...base, 'extra'], /unexpected argument 'extra'/],
  [['--self', 'h:1', '--partners', '', '--data-dir', 'd', '--join'], /--join needs --partners/],
  [[...base, '--self', 'h:2'], /--self given twice/],
] as const) {
  test(`refuses: ${args.join(' ')}`, () => {
    assert.throws(() => parseNodeArgs([...args]), (err: unknown) => err instanceof UsageError && message.test((err as Error).message));
  });
}
