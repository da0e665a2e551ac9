// The fast scanner and yargs read the same option table and must agree on every well-formed line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanArgs } from '../../src/cli/fast-args.js';
import { parseWithYargs } from '../../src/cli/full-parser.js';
import { resolveInvocation } from '../../src/cli/invocation.js';
import { UsageError } from '../../src/errors.js';

const wellFormed: string[][] = [
  ['-conn', '127.0.0.1:4321', '-status'],
  ['--conn', '127.0.0.1:4321', '--status', '--json'],
  ['-conn=127.0.0.1:4321', '-pass', 'secret', '-status'],
  ['-conn', 'db1:2222', '-add', '10.0.0.4:2222', '-timeout', '2.5'],
  ['-conn', 'db1:2222', '-remove', '10.0.0.4:2222'],
  ['-conn', 'db1:2222', '-set_version', '3'],
  ['-conn', 'db1:2222', '-transfer', 'db2:2222', '--pass-file', '/tmp/pw'],
  ['-conn', 'db1:2222', '-health', '-max-lag', '10'],
  ['-conn', 'db1:2222', '-drain'],
  ['-conn', 'db1:2222', '--undrain', '-json'],
  ['-conn', 'db1:2222', '-add', '10.0.0.4:2222', '-wait', '30'],
];

test('the fast scanner and yargs agree on well-formed invocations', async () => {
  for (const argv of wellFormed) {
    const fast = scanArgs(argv);
    assert.ok(fast, `fast scanner declined ${argv.join(' ')}`);
    assert.deepEqual(await parseWithYargs(argv), fast, argv.join(' '));
  }
});

test('the fast scanner declines what it is unsure of, leaving it to yargs', () => {
  for (const argv of [['--help'], ['-conn'], ['-conn', 'a:1', '-status', '-status'], ['-conn', 'a:1', '-bogus'], ['completion'], ['-status=yes'], ['-conn', 'a:1', '-set_version', 'x'], ['-conn', '-status']]) {
    assert.equal(scanArgs(argv), null, argv.join(' '));
  }
});

test('yargs turns malformed lines into usage errors', async () => {
  await assert.rejects(parseWithYargs(['-conn', 'a:1', '-bogus']), UsageError);
  await assert.rejects(parseWithYargs(['-conn']), UsageError);
  await assert.rejects(parseWithYargs(['-conn', 'a:1', 'stray']), /unexpected argument 'stray'/);
});

test('invocations are checked before any I/O', () => {
  const usage = (opts: Parameters<typeof resolveInvocation>[0], re: RegExp) => assert.throws(() => resolveInvocation(opts, {}), (e: unknown) => e instanceof UsageError && re.test(e.message));
  usage({ status: true }, /missing -conn/);
  usage({ conn: 'nohost', status: true }, /invalid address to connect: 'nohost'/);
  usage({ conn: 'h:0', status: true }, /invalid address to connect/);
  usage({ conn: 'h:1' }, /invalid command/);
  usage({ conn: 'h:1', status: true, add: 'h:2' }, /give one command, not -status and -add/);
  usage({ conn: 'h:1', add: 'bad' }, /invalid address to command add: 'bad'/);
  usage({ conn: 'h:1', status: true, timeout: 0 }, /-timeout must be/);
  usage({ conn: 'h:1', set_version: 1.5 }, /whole number/);
  usage({ conn: 'h:1', status: true, 'max-lag': 3 }, /-max-lag goes with -health/);
  usage({ conn: 'h:1', status: true, pass: 'a', 'pass-file': '/x' }, /not both/);
  usage({ conn: 'h:1', status: true, 'pass-file': '/nonexistent/pw' }, /cannot read the password file \/nonexistent\/pw: ENOENT/);
  const inv = resolveInvocation({ conn: '[::1]:4321', status: true }, { SYNCOBJ_PASSWORD: 'env' });
  assert.equal(inv.address.host, '::1');
  assert.equal(inv.password, 'env');
  assert.equal(inv.timeoutMs, 10_000);
  assert.equal(resolveInvocation({ conn: 'h:1', status: true, pass: '' }, { SYNCOBJ_PASSWORD: 'env' }).password, '');
});

test('colour only on a terminal, never with NO_COLOR or -no-color', () => {
  const opts = { conn: 'h:1', status: true } as const;
  assert.equal(resolveInvocation(opts, {}, true).color, true);
  assert.equal(resolveInvocation(opts, {}, false).color, false);
  assert.equal(resolveInvocation(opts, { NO_COLOR: '1' }, true).color, false);
  assert.equal(resolveInvocation({ ...opts, 'no-color': true }, {}, true).color, false);
});

test('-cluster goes with -status or -health; -wire takes one of three; -transfer takes auto', () => {
  assert.throws(() => resolveInvocation({ conn: 'h:1', add: 'h:2', cluster: true }, {}), /-cluster goes with -status or -health/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', status: true, wire: 'tcp' }, {}), /-wire must be auto, native or pysyncobj/);
  const inv = resolveInvocation({ conn: 'h:1', transfer: 'auto' }, {});
  assert.deepEqual(inv.action, { kind: 'command', command: { kind: 'transfer', node: 'auto' } });
});

test('-drain and -undrain are commands of their own; -wait goes with -add or -health and takes seconds', () => {
  assert.deepEqual(resolveInvocation({ conn: 'h:1', drain: true }, {}).action, { kind: 'drain', drained: true });
  assert.deepEqual(resolveInvocation({ conn: 'h:1', undrain: true }, {}).action, { kind: 'drain', drained: false });
  assert.throws(() => resolveInvocation({ conn: 'h:1', drain: true, undrain: true }, {}), /give one command, not -drain and -undrain/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', drain: true, wire: 'pysyncobj' }, {}), /-drain is a syncobj-node command on its native wire/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', drain: true, wait: 5 }, {}), /-wait goes with -add or -health/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', status: true, cluster: true, wait: 5 }, {}), /-wait goes with -add or -health/);
  assert.equal(resolveInvocation({ conn: 'h:1', health: true, cluster: true, wait: 30 }, {}).waitMs, 30_000);
  assert.throws(() => resolveInvocation({ conn: 'h:1', health: true, wait: -1 }, {}), /-wait must be a number of seconds above 0/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', add: 'h:2', wait: 0 }, {}), /-wait must be a number of seconds above 0/);
  assert.equal(resolveInvocation({ conn: 'h:1', add: 'h:2', wait: 2.5 }, {}).waitMs, 2500);
  assert.equal(resolveInvocation({ conn: 'h:1', add: 'h:2' }, {}).waitMs, null);
});

test('`syncobj-admin completion` prints a shell completion script', async () => {
  const { run } = await import('../support/processes.js');
  const { join } = await import('node:path');
  const { repoRoot } = await import('../fixtures/paths.js');
  const r = await run(process.execPath, [join(repoRoot, 'bin', 'syncobj-admin'), 'completion']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /syncobj-admin/);
  assert.match(r.stdout, /complete|compdef/);
});

test('-prometheus goes with -status or -health, and not with -json', () => {
  assert.equal(resolveInvocation({ conn: 'h:1', status: true, prometheus: true }, {}).prometheus, true);
  assert.equal(resolveInvocation({ conn: 'h:1', health: true, cluster: true, prometheus: true }, {}).prometheus, true);
  assert.equal(resolveInvocation({ conn: 'h:1', health: true }, {}).prometheus, false);
  assert.throws(() => resolveInvocation({ conn: 'h:1', drain: true, prometheus: true }, {}), /-prometheus goes with -status or -health/);
  assert.throws(() => resolveInvocation({ conn: 'h:1', health: true, prometheus: true, json: true }, {}), /give -prometheus or -json, not both/);
});
