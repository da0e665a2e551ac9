// The package as `npm install -g` leaves it, and its public exports as another project imports
// them (issue 11): packed once, installed into a temporary prefix from the tarball, and run from
// there. Dependencies come from npm's cache when they are in it (--prefer-offline).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/paths.js';
import { freePort, run, type RunResult } from '../support/processes.js';
import { interopSkip, startPysyncobjCluster, SYNCOBJ_ADMIN, type PysyncobjCluster } from '../support/pysyncobj-cluster.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The uptime differs between two calls; everything else of an idle member must match byte for byte. */
const withoutUptime = (s: string) => s.replace(/^uptime: \d+\n/m, '');

function must(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('the package installed from its tarball', { timeout: 240_000 }, () => {
  let dir: string;
  let prefix: string;
  let installed: string;
  const bin = (name: string) => join(prefix, 'bin', name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syncobj-pack-'));
    prefix = join(dir, 'prefix');
    // --ignore-scripts: `npm test` has just built dist/; prepare would rebuild it under the tests running beside this one.
    const packed = must(await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { timeoutMs: 120_000 }), 'npm pack');
    const tarball = join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    must(await run(NPM, ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 180_000 }), 'npm install -g');
    installed = join(prefix, 'lib', 'node_modules', manifest.name);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('both bins answer --version with package.json\'s version', async () => {
    assert.equal(must(await run(bin('syncobj-admin'), ['--version']), 'syncobj-admin --version').stdout, `syncobj-admin ${manifest.version}\n`);
    assert.equal(must(await run(bin('syncobj-node'), ['--version']), 'syncobj-node --version').stdout, `syncobj-node ${manifest.version}\n`);
  });

  test('syncobj-admin --help works from the prefix (the bundle is in the package)', async () => {
    const help = must(await run(bin('syncobj-admin'), ['--help']), 'syncobj-admin --help');
    assert.match(help.stdout, /^Usage: syncobj-admin -conn HOST:PORT/);
    assert.equal(help.stderr, '');
  });

  test('the three man pages land under share/man', () => {
    for (const page of ['man1/syncobj-admin.1', 'man1/syncobj-node.1', 'man7/syncobj-protocol.7']) {
      assert.ok(existsSync(join(prefix, 'share', 'man', page)), `${page} is not installed`);
    }
  });

  test('the rolling-restart example is in the package, executable, and finds the installed syncobj-admin', async () => {
    const script = join(installed, 'examples', 'rolling-restart.sh');
    const help = must(await run(script, ['-h']), 'rolling-restart.sh -h');
    assert.match(help.stdout, /^Usage: rolling-restart\.sh -r COMMAND/);
    const address = `127.0.0.1:${await freePort()}`;
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env['PATH']}` };
    const refused = await run(script, ['-r', 'true', address], { env });
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /stopped at the cluster, before any member, step check: exit code 3/);
  });

  test('a refused port is exit 3 from the installed bins too', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    assert.equal((await run(bin('syncobj-admin'), ['-conn', address, '-status', '-timeout', '2'])).code, 3);
    assert.equal((await run(bin('syncobj-node'), ['kv', 'get', 'k', '--conn', address, '--timeout', '2'])).code, 3);
  });

  describe('against a real PySyncObj member', { skip: interopSkip() }, () => {
    let cluster: PysyncobjCluster;
    before(async () => {
      cluster = await startPysyncobjCluster(1, { password: 'installed-secret' });
    });
    after(async () => cluster?.stop());

    test('-status prints what /usr/bin/syncobj_admin prints', async () => {
      const member = cluster.addresses[0]!;
      const ours = must(await run(bin('syncobj-admin'), ['-conn', member, '-status'], { env: { ...process.env, SYNCOBJ_PASSWORD: 'installed-secret' } }), 'syncobj-admin -status');
      const theirs = await run(SYNCOBJ_ADMIN, ['-conn', member, '-status', '-pass', 'installed-secret']);
      assert.match(ours.stdout, /^has_quorum: True$/m);
      assert.equal(withoutUptime(ours.stdout), withoutUptime(theirs.stdout));
    });

    test('another project imports the public API by name, typed, and it talks to the member', async () => {
      const project = join(dir, 'consumer');
      mkdirSync(join(project, 'node_modules'), { recursive: true });
      symlinkSync(installed, join(project, 'node_modules', manifest.name), 'dir');
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      const member = cluster.addresses[0]!;
      const refused = `127.0.0.1:${await freePort()}`;
      writeFileSync(
        join(project, 'check.ts'),
        `import { AdminClient, KvClient, ConnectError, ExitCode, type StatusMap } from 'syncobj-admin';
const admin = new AdminClient({ password: 'installed-secret', timeoutMs: 5000 });
const status: StatusMap = await admin.status('${member}');
console.log('leader', status.get('leader'));
const kv = new KvClient({ members: ['${refused}'], password: null, timeoutMs: 5000 });
try {
  await kv.set('k', 'v');
  console.log('kv: no error');
} catch (err) {
  console.log('kv', err instanceof ConnectError, (err as ConnectError).exitCode === ExitCode.unreachable);
} finally {
  kv.close();
}
try {
  await import('syncobj-admin/dist/src/node/main.js' as string);
  console.log('internal: importable');
} catch (err) {
  console.log('internal', (err as NodeJS.ErrnoException).code);
}
`,
      );
      // Typed: the consumer compiles against the installed declarations alone.
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const compiled = await run(process.execPath, [
        tsc, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck',
        '--types', 'node', '--typeRoots', join(repoRoot, 'node_modules', '@types'), '--outDir', project, join(project, 'check.ts'),
      ], { timeoutMs: 60_000 });
      must(compiled, 'tsc of the consumer');
      const out = must(await run(process.execPath, [join(project, 'check.js')], { timeoutMs: 30_000 }), 'the consumer');
      assert.equal(out.stdout, `leader ${member}\nkv true true\ninternal ERR_PACKAGE_PATH_NOT_EXPORTED\n`);
    });
  });
});
