// -patroni FILE: Patroni's raft section and PATRONI_RAFT_* variables combined as Patroni combines
// them; what they fill in; usage errors naming the file; and the YAML parser off the hot path.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPatroniConfig } from '../../src/cli/patroni-config.js';
import { resolveInvocation } from '../../src/cli/invocation.js';
import { main } from '../../src/cli/main.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { repoRoot } from '../fixtures/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'syncobj-patroni-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const full = file(
  'patroni.yml',
  `scope: demo
log:
  level: WARNING
raft:
  self_addr: '127.0.0.1:23871'
  bind_addr: '0.0.0.0:23871'
  partner_addrs: ['127.0.0.1:23872', '127.0.0.1:23873']
  data_dir: /var/lib/raft
  password: 'from-the-file'
`,
);

test('the raft section gives -conn, the password and the partners', async () => {
  const raft = await readPatroniConfig(full, {});
  assert.deepEqual(raft, { source: full, selfAddr: '127.0.0.1:23871', partnerAddrs: ['127.0.0.1:23872', '127.0.0.1:23873'], password: 'from-the-file' });
  const inv = resolveInvocation({ status: true, cluster: true }, {}, false, raft);
  assert.equal(inv.address.text, '127.0.0.1:23871');
  assert.equal(inv.password, 'from-the-file');
  assert.deepEqual(inv.seeds, ['127.0.0.1:23872', '127.0.0.1:23873']);
});

test('PATRONI_RAFT_* variables that are set and not empty override the file, as in Patroni', async () => {
  const env = { PATRONI_RAFT_SELF_ADDR: '127.0.0.1:1', PATRONI_RAFT_PARTNER_ADDRS: '127.0.0.1:2,127.0.0.1:3', PATRONI_RAFT_PASSWORD: 'from-env', PATRONI_RAFT_BIND_ADDR: '' };
  const raft = await readPatroniConfig(full, env);
  assert.equal(raft.selfAddr, '127.0.0.1:1');
  assert.deepEqual(raft.partnerAddrs, ['127.0.0.1:2', '127.0.0.1:3'], 'a bare a,b list is wrapped in [ ] before YAML reads it');
  assert.equal(raft.password, 'from-env');
  assert.match(raft.source, /with PATRONI_RAFT_SELF_ADDR, PATRONI_RAFT_PARTNER_ADDRS, PATRONI_RAFT_PASSWORD/);
  assert.deepEqual((await readPatroniConfig(full, { PATRONI_RAFT_PARTNER_ADDRS: "['127.0.0.1:9']" })).partnerAddrs, ['127.0.0.1:9']);
  assert.equal((await readPatroniConfig(full, { PATRONI_RAFT_PASSWORD: '' })).password, 'from-the-file', 'an empty variable is unset');
  // With no raft section in the file, the variables alone make one.
  const bare = file('bare.yml', 'scope: demo\n');
  assert.equal((await readPatroniConfig(bare, { PATRONI_RAFT_SELF_ADDR: '127.0.0.1:5' })).selfAddr, '127.0.0.1:5');
});

test('-pass, -pass-file and SYNCOBJ_PASSWORD win over the file; -conn wins over self_addr', async () => {
  const raft = await readPatroniConfig(full, {});
  assert.equal(resolveInvocation({ status: true, pass: 'flag' }, {}, false, raft).password, 'flag');
  assert.equal(resolveInvocation({ status: true }, { SYNCOBJ_PASSWORD: 'env' }, false, raft).password, 'env');
  const passFile = join(dir, 'pw');
  writeFileSync(passFile, 'in-a-file\n', { mode: 0o600 });
  assert.equal(resolveInvocation({ status: true, 'pass-file': passFile }, {}, false, raft).password, 'in-a-file');
  assert.equal(resolveInvocation({ status: true, conn: '10.0.0.9:1' }, {}, false, raft).address.text, '10.0.0.9:1');
});

test('a config directory is read like Patroni reads it: *.yml and *.yaml in name order, later keys winning', async () => {
  const confd = join(dir, 'conf.d');
  mkdirSync(confd);
  writeFileSync(join(confd, '10-base.yml'), "raft:\n  self_addr: '127.0.0.1:10'\n  password: base\n");
  writeFileSync(join(confd, '20-override.yaml'), 'raft:\n  password: override\n');
  writeFileSync(join(confd, 'notes.txt'), 'raft: [not, read]\n');
  const raft = await readPatroniConfig(confd, {});
  assert.equal(raft.selfAddr, '127.0.0.1:10');
  assert.equal(raft.password, 'override');
});

test('a missing file, bad YAML, no raft section or a bad address: usage error (exit 2) naming the file and what is wrong', async () => {
  const cases: [string, RegExp][] = [
    [join(dir, 'absent.yml'), /cannot read the Patroni config .*absent\.yml: ENOENT/],
    [file('bad.yml', 'raft:\n  self_addr: [unclosed\n'), /the Patroni config .*bad\.yml is not valid YAML/],
    [file('noraft.yml', 'scope: demo\nlog:\n  level: INFO\n'), /the Patroni config .*noraft\.yml has no raft section/],
    [file('badaddr.yml', "raft:\n  self_addr: 'localhost'\n"), /raft\.self_addr in .*badaddr\.yml is not HOST:PORT: 'localhost'/],
    [file('badlist.yml', "raft:\n  self_addr: '127.0.0.1:1'\n  partner_addrs: '127.0.0.1:2'\n"), /raft\.partner_addrs in .*badlist\.yml must be a list/],
    [file('numpass.yml', "raft:\n  self_addr: '127.0.0.1:1'\n  password: 12345\n"), /raft\.password in .*numpass\.yml must be a string; quote it/],
  ];
  for (const [path, message] of cases) {
    await assert.rejects(readPatroniConfig(path, {}), (e: unknown) => e instanceof UsageError && message.test(e.message), path);
    const io = { stdout: '', stderr: '', isTTY: false, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
    assert.equal(await main(['-patroni', path, '-status'], {}, io), ExitCode.usage, path);
    assert.match(io.stderr, message);
  }
  const readOnly = await readPatroniConfig(file('readonly.yml', "raft:\n  partner_addrs: ['127.0.0.1:2']\n"), {});
  assert.throws(() => resolveInvocation({ status: true }, {}, false, readOnly), /has no raft\.self_addr .*give -conn/);
});

test('the bundled CLI imports the YAML parser only on demand, never on the -status path', () => {
  const bundle = readFileSync(join(repoRoot, 'dist', 'bundle', 'syncobj-admin.js'), 'utf8');
  assert.doesNotMatch(bundle, /^import [^;]*from ["']yaml["']/m);
  assert.match(bundle, /await import\(["']yaml["']\)/);
});
