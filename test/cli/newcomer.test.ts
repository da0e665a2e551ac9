// What a new user meets first (issue 11): --help that fits a pipe and names values, --version,
// completion in the README's -flag style, clear errors for odd timeouts and empty passwords,
// and a full disk or a closed pipe on standard output reported in one line, not a stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeWords } from '../../src/cli/completion.js';
import { main } from '../../src/cli/main.js';
import { renderHelp } from '../../src/cli/help.js';
import { resolveInvocation } from '../../src/cli/invocation.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { repoRoot } from '../fixtures/paths.js';
import { run } from '../support/processes.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';

const ADMIN = join(repoRoot, 'bin', 'syncobj-admin');
const NODE = join(repoRoot, 'bin', 'syncobj-node');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

test('--help in a pipe fits 80 columns and names every value; a terminal gets at most 100', async () => {
  const help = await run(process.execPath, [ADMIN, '--help']);
  assert.equal(help.code, 0, help.stderr);
  const long = help.stdout.split('\n').filter((l) => l.length > 80);
  assert.deepEqual(long, []);
  for (const shown of ['-conn HOST:PORT', '-pass-file FILE', '-timeout SECONDS', '-wire auto|native|pysyncobj', '-transfer HOST:PORT|auto']) assert.ok(help.stdout.includes(shown), shown);
  assert.doesNotMatch(help.stdout, /\[(string|number|boolean)\]/);
  assert.match(help.stdout, /prefer\s+-pass-file\)/);
  assert.ok(renderHelp(200).split('\n').every((l) => l.length <= 100));
  assert.ok(renderHelp(72).split('\n').every((l) => l.length <= 72), renderHelp(72));
});

test('--version, -version and -v on both bins print the name and package.json\'s version', async () => {
  for (const [bin, name] of [[ADMIN, 'syncobj-admin'], [NODE, 'syncobj-node']] as const) {
    for (const flag of ['--version', '-version', '-v']) {
      const r = await run(process.execPath, [bin, flag]);
      assert.equal(r.code, 0, `${name} ${flag}: ${r.stderr}`);
      assert.equal(r.stdout, `${name} ${version}\n`);
    }
  }
});

test('completion offers flags in the style typed, and the values of -wire and -transfer', () => {
  const at = (...typed: string[]) => completeWords(['syncobj-admin', ...typed]);
  assert.deepEqual(at('-sta'), ['-status']);
  assert.deepEqual(at('--sta'), ['--status']);
  assert.deepEqual(at('-conn', 'h:1', '--wire', ''), ['auto', 'native', 'pysyncobj']);
  assert.deepEqual(at('-conn', 'h:1', '-wire', 'n'), ['native']);
  assert.deepEqual(at('--wire', '=', ''), ['auto', 'native', 'pysyncobj']);
  assert.deepEqual(at('-conn', 'h:1', '--transfer', ''), ['auto']);
  assert.deepEqual(at('-pass-file', ''), [], 'nothing, so that the shell completes file names');
  assert.ok(!at('-status', '-').includes('-status'), 'a flag already given is not offered again');
  assert.ok(at('').includes('completion'));
  assert.ok(!at('-conn', 'h:1', '').includes('completion'));
});

test('the completion script only for `completion` alone; the script asks for completions that the bin answers', async () => {
  const stray = await run(process.execPath, [ADMIN, '-conn', '127.0.0.1:1', '-status', 'completion']);
  assert.equal(stray.code, ExitCode.usage);
  assert.equal(stray.stdout, '');
  assert.match(stray.stderr, /unexpected argument 'completion'/);
  const script = await run(process.execPath, [ADMIN, 'completion'], { env: { ...process.env, SHELL: '/bin/bash' } });
  assert.equal(script.code, 0, script.stderr);
  assert.match(script.stdout, /--get-yargs-completions/);
  const asked = await run(process.execPath, [ADMIN, '--get-yargs-completions', 'syncobj-admin', '-conn', 'h:1', '-wire', '']);
  assert.equal(asked.stdout, 'auto\nnative\npysyncobj\n');
});

test('-timeout: the cap is stated, and an empty value is not read as 0', async () => {
  const usage = (timeout: string) => run(process.execPath, [ADMIN, '-conn', '127.0.0.1:1', '-status', '-timeout', timeout]);
  for (const bad of ['1e9', '86401', 'Infinity']) {
    const r = await usage(bad);
    assert.equal(r.code, ExitCode.usage, bad);
    assert.match(r.stderr, /-timeout must be a number of seconds above 0 and at most 86400 \(a day\), not /, bad);
  }
  const empty = await usage('');
  assert.equal(empty.code, ExitCode.usage);
  assert.match(empty.stderr, /-timeout needs a number, not ''/);
});

test('-wire native against a node that never completes the handshake: the deadline as given, "0.5 s"', async () => {
  const silent = await startFakeNode(null, 'accept-only');
  try {
    const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
    assert.equal(await main(['-conn', silent.address, '-status', '-wire', 'native', '-timeout', '0.5'], {}, io), ExitCode.timeout);
    assert.match(io.stderr, /did not complete within 0\.5 s;/);
  } finally {
    await silent.close();
  }
});

describe('where the password comes from', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'syncobj-pw-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  test('SYNCOBJ_PASSWORD set but empty counts as unset', () => {
    assert.equal(resolveInvocation({ conn: 'h:1', status: true }, { SYNCOBJ_PASSWORD: '' }).password, null);
  });

  test('an empty password file is refused, saying so', () => {
    for (const text of ['', '\n']) {
      const path = file('empty', text, 0o600);
      assert.throws(() => resolveInvocation({ conn: 'h:1', status: true, 'pass-file': path }, {}), (e: unknown) => e instanceof UsageError && /password file .* is empty/.test(e.message));
    }
  });

  test('any group or world access to the file draws a warning, as ssh does; 0600 none', () => {
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      const inv = resolveInvocation({ conn: 'h:1', status: true, 'pass-file': file(`pw${mode}`, 'secret\n', mode) }, {});
      assert.equal(inv.password, 'secret');
      assert.equal(inv.warnings.length, 1, mode.toString(8));
      assert.match(inv.warnings[0]!, /accessible to others \(mode 0\d+\); chmod 600 it/);
      assert.doesNotMatch(inv.warnings[0]!, /secret/);
    }
    assert.deepEqual(resolveInvocation({ conn: 'h:1', status: true, 'pass-file': file('private', 'secret', 0o600) }, {}).warnings, []);
  });
});

describe('standard output that cannot be written', () => {
  let node: FakeNode;
  before(async () => {
    node = await startFakeNode(null, () => new Map([['leader', null], ['state', 0]]));
  });
  after(async () => node?.close());

  /** Runs the bin with stdout on `target`: a path, or 'closed-pipe' for a pipe whose reader has gone. */
  function runTo(target: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const fd = target === 'closed-pipe' ? 'pipe' : openSync(target, 'w');
      const child = spawn(process.execPath, [ADMIN, ...args], { stdio: ['ignore', fd, 'pipe'] });
      if (typeof fd === 'number') closeSync(fd);
      else child.stdout!.destroy();
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  test('a full disk: one line naming ENOSPC and exit 74, for -status and for --help', { skip: existsSync('/dev/full') ? false : 'SKIPPED: no /dev/full here' }, async () => {
    for (const args of [['-conn', node.address, '-status'], ['--help']]) {
      const r = await runTo('/dev/full', args);
      assert.equal(r.code, ExitCode.outputFailed, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, 'syncobj-admin: cannot write the output: ENOSPC\n');
    }
  });

  test('a reader that went away: exit 74 and no stack trace', async () => {
    const r = await runTo('closed-pipe', ['-conn', node.address, '-status']);
    assert.equal(r.code, ExitCode.outputFailed, r.stderr);
    assert.doesNotMatch(r.stderr, /at |Unhandled/);
  });
});
