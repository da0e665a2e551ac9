// syncobj-node as a newcomer meets it (issue 11 items 4-6): `dev` takes its members and its data
// with it however it dies, `dev --nodes 1 --demo` works, a port in use leaves the data dir
// unclaimed, and `kv` says at once that nothing listens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { freePort, run, stopProcess, waitFor } from '../support/processes.js';
import { NODE_BIN } from '../support/node-cluster.js';

function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = connect({ host: host!, port: Number(port) });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Starts `dev --nodes 2`, waits for ready; returns the child, member addresses and data dir. */
async function startDev(): Promise<{ child: ChildProcess; members: string[]; dir: string }> {
  const child = spawn(process.execPath, [NODE_BIN, 'dev', '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await waitFor('dev ready', async () => (out.includes('ready\n') ? true : null), 30_000, 50);
  } catch (e) {
    await stopProcess(child);
    throw e;
  }
  const dir = /data in (\S+) \(removed on exit\)/.exec(err)?.[1];
  assert.ok(dir, err);
  return { child, members: out.split('\n').filter((l) => /^127\.0\.0\.1:\d+$/.test(l)), dir };
}

for (const signal of ['SIGKILL', 'SIGHUP'] as const) {
  test(`dev killed by ${signal}: its members stop and its data dir goes`, async () => {
    const { child, members, dir } = await startDev();
    try {
      assert.equal(members.length, 2);
      assert.ok(existsSync(dir));
      await stopProcess(child, signal);
      await waitFor('the members to stop', async () => ((await Promise.all(members.map(accepts))).some(Boolean) ? null : true), 15_000, 100);
      await waitFor(`${dir} to be removed`, async () => (existsSync(dir) ? null : true), 20_000, 100);
    } finally {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('dev --nodes 1 --demo: the tour skips the transfer and exits 0', async () => {
  const r = await run(process.execPath, [NODE_BIN, 'dev', '--nodes', '1', '--demo'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /-transfer/);
  assert.match(r.stdout, /\$ syncobj-node kv get greeting --conn 127\.0\.0\.1:\d+\nhello\n/);
  assert.match(r.stdout, /healthy: /);
});

test('a port in use: exit 1 and no IDENTITY, so the corrected command starts with the same data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncobj-port-'));
  const dataDir = join(dir, 'data');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = (blocker.address() as { port: number }).port;
  let member: ChildProcess | undefined;
  try {
    const refused = await run(process.execPath, [NODE_BIN, '--self', `127.0.0.1:${busy}`, '--partners', '', '--data-dir', dataDir], { timeoutMs: 20_000 });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    assert.equal(existsSync(join(dataDir, 'IDENTITY')), false, 'the failed start claimed the data dir');
    const port = await freePort();
    member = spawn(process.execPath, [NODE_BIN, '--self', `127.0.0.1:${port}`, '--partners', '', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    member.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    await waitFor('the corrected member to listen', async () => (/start: listening/.test(log) ? true : null), 20_000, 50);
    assert.doesNotMatch(log, /belongs to member/);
  } finally {
    if (member) await stopProcess(member);
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kv to a port nobody listens on: exit 3 at once, not a timeout; an unknown operation is named', async () => {
  const address = `127.0.0.1:${await freePort()}`;
  // A 60 s timeout and a 30 s bound: far apart, so a slow start on a loaded machine cannot pass for
  // waiting out the timeout, nor the other way round.
  const r = await run(process.execPath, [NODE_BIN, 'kv', 'get', 'k', '--conn', address, '--timeout', '60']);
  assert.equal(r.code, ExitCode.unreachable, r.stderr);
  assert.match(r.stderr, /refused the connection/);
  assert.ok(r.ms < 30_000, `took ${Math.round(r.ms)} ms against a 60 s timeout: it waited instead of failing at once`);
  const frob = await run(process.execPath, [NODE_BIN, 'kv', 'frob', 'k', '--conn', address]);
  assert.equal(frob.code, ExitCode.usage);
  assert.match(frob.stderr, /'frob'/);
});
