// `syncobj-node dev --demo` runs its tour and exits 0 leaving nothing behind; `dev` stops its
// children on SIGTERM; the shared port closes connections that speak neither wire or lie about sizes;
// the real syncobj_admin works against a member without a password.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { run, stopProcess, waitFor } from '../support/processes.js';
import { interopSkip, SYNCOBJ_ADMIN } from '../support/pysyncobj-cluster.js';
import { NODE_BIN, NodeCluster } from '../support/node-cluster.js';

test('dev --nodes 3 --demo: status, kv, transfer and health, then a clean exit', async () => {
  const r = await run(process.execPath, [NODE_BIN, 'dev', '--nodes', '3', '--demo'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n');
  assert.equal(lines.filter((l) => /^127\.0\.0\.1:\d+$/.test(l)).length, 3);
  assert.ok(lines.includes('ready'));
  assert.match(r.stdout, /\$ syncobj-admin -conn 127\.0\.0\.1:\d+ -status\n[^$]*state: 2/);
  assert.match(r.stdout, /\$ syncobj-node kv get greeting --conn 127\.0\.0\.1:\d+\nhello\n/);
  assert.match(r.stdout, /SUCCESS TRANSFER 127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /healthy: /);
  assert.doesNotMatch(r.stdout, /\(exit \d+\)/);
  process.stderr.write(`# npm run demo equivalent took ${Math.round(r.ms)} ms\n`);
});

test('dev without --demo prints ready, and SIGTERM stops the members and removes the data', async () => {
  const child = spawn(process.execPath, [NODE_BIN, 'dev', '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await waitFor('ready', async () => (out.includes('ready\n') ? true : null), 30_000, 50);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(child.pid!, 'SIGTERM');
    assert.equal(await exited, 0);
    const tmp = /data in (\S+) \(removed on exit\)/.exec(err);
    assert.ok(tmp, err);
    assert.equal(existsSync(tmp[1]!), false);
    for (const address of out.split('\n').filter((l) => /^127\.0\.0\.1:\d+$/.test(l))) {
      const [host, port] = address.split(':');
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: host!, port: Number(port) });
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      assert.ok(refused, `${address} still accepts connections after dev stopped`);
    }
  } finally {
    await stopProcess(child, 'SIGKILL');
  }
});

test('the shared port closes garbage and oversized PySyncObj frames at once', async () => {
  const cluster = await NodeCluster.start(1);
  try {
    const [host, port] = cluster.addresses[0]!.split(':');
    const closedAfter = (bytes: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const s = connect({ host: host!, port: Number(port) }, () => s.write(bytes));
        s.on('data', () => undefined);
        s.once('close', () => resolve(performance.now() - started));
        s.once('error', () => undefined);
        setTimeout(() => reject(new Error('the node kept the connection open')), 8000).unref();
      });
    // The node closes any connection that does not authenticate within 5 s; closing well before that
    // (a generous bound on a busy machine) shows the bytes themselves were refused.
    const refusedAt = (ms: number, what: string): void => assert.ok(ms < 2500, `${what} closed after ${ms.toFixed(0)} ms, not at once: the 5 s authentication deadline closed it, not the frame check`);
    refusedAt(await closedAfter(Buffer.from('GET / HTTP/1.1\r\n\r\n')), 'an HTTP request');
    const huge = Buffer.alloc(9);
    huge.writeInt32LE(100 * 1024 * 1024, 0);
    huge[4] = 0x78;
    refusedAt(await closedAfter(huge), 'a PySyncObj frame declaring 100 MiB');
    // The node still works.
    assert.equal((await cluster.status(cluster.addresses[0]!))['state'], 2);
  } finally {
    await cluster.stop();
  }
});

test('/usr/bin/syncobj_admin against a member without a password: status, and PySyncObj\'s FAIL text', { skip: interopSkip() }, async () => {
  const cluster = await NodeCluster.start(1);
  try {
    const self = cluster.addresses[0]!;
    const status = await run(SYNCOBJ_ADMIN, ['-conn', self, '-status']);
    assert.match(status.stdout, new RegExp(`^self: ${self.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(status.stdout, /^state: 2$/m);
    assert.match(status.stdout, /^partner_nodes_count: 0$/m);
    const remove = await run(SYNCOBJ_ADMIN, ['-conn', self, '-remove', '127.0.0.1:1']);
    assert.equal(remove.stdout.trim(), 'FAIL REMOVE 127.0.0.1:1');
    const withPassword = await run(SYNCOBJ_ADMIN, ['-conn', self, '-status', '-pass', 'unexpected']);
    assert.equal(withPassword.stdout.trim(), 'connection lost');
  } finally {
    await cluster.stop();
  }
});
