// A 3-member syncobj-node cluster elects a leader, serves kv through any member, answers the real
// /usr/bin/syncobj_admin with every PySyncObj status key, and refuses bad start-ups clearly.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interopSkip, SYNCOBJ_ADMIN } from '../support/pysyncobj-cluster.js';
import { run, waitFor } from '../support/processes.js';
import { NODE_BIN, NodeCluster } from '../support/node-cluster.js';
import { NativeConnection } from '../../src/client/native-connection.js';

const PYSYNCOBJ_KEYS = [
  'version', 'revision', 'self', 'state', 'leader', 'has_quorum', 'partner_nodes_count', 'readonly_nodes_count', 'log_len',
  'last_applied', 'commit_idx', 'raft_term', 'next_node_idx_count', 'match_idx_count', 'leader_commit_idx', 'uptime',
  'self_code_version', 'enabled_code_version',
];

describe('a 3-member cluster with a password', () => {
  let cluster: NodeCluster;
  let leader: string;
  before(async () => {
    const started = performance.now();
    cluster = await NodeCluster.start(3, { password: 's3cret' });
    leader = await cluster.waitForLeader();
    process.stderr.write(`# leader elected ${Math.round(performance.now() - started)} ms after spawning 3 members\n`);
  });
  after(async () => {
    await cluster?.stop();
  });

  test('every member names the same leader, which has a quorum', async () => {
    for (const a of cluster.addresses) {
      const s = await cluster.status(a);
      assert.equal(s['leader'], leader);
      assert.equal(s['has_quorum'], true);
      assert.equal(s['state'], a === leader ? 2 : 0);
      assert.equal(s['storage_fault'], null);
    }
  });

  test('kv set through a follower, then get through another member', async () => {
    const followers = cluster.addresses.filter((a) => a !== leader);
    const writer = cluster.client([followers[0]!]);
    const reader = cluster.client([followers[1]!]);
    try {
      await writer.set('colour', 'blue');
      assert.equal(await reader.get('colour'), 'blue');
      await writer.del('colour');
      assert.equal(await reader.get('colour'), null);
    } finally {
      writer.close();
      reader.close();
    }
  });

  test('the kv command line: set, get, absent key exits 1', async () => {
    const env = { ...process.env, SYNCOBJ_PASSWORD: 's3cret' };
    const conn = cluster.addresses.join(',');
    const set = await run(process.execPath, [NODE_BIN, 'kv', 'set', 'fruit', 'apple', '--conn', conn], { env });
    assert.equal(set.code, 0, set.stderr);
    const get = await run(process.execPath, [NODE_BIN, 'kv', 'get', 'fruit', '--conn', cluster.addresses[2]!], { env });
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'apple\n');
    const missing = await run(process.execPath, [NODE_BIN, 'kv', 'get', 'nothing-here', '--conn', conn], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not set/);
    const wrong = await run(process.execPath, [NODE_BIN, 'kv', 'get', 'fruit', '--conn', conn, '--timeout', '3'], { env: { ...process.env, SYNCOBJ_PASSWORD: 'nope' } });
    assert.equal(wrong.code, 4, wrong.stderr);
  });

  test('a write re-sent with the same session and number is applied once', async () => {
    const connection = await NativeConnection.open(leader, await cluster.key(), 5000);
    const client = cluster.client();
    try {
      const write = { t: 'kv' as const, op: 'set' as const, key: 'once', value: 'v', session: 'e2e-session', seq: 1, floor: 1 };
      const send = async (): Promise<void> => {
        const reply = await connection.request(write, 5000);
        assert.ok(reply.t === 'kv_reply' && reply.ok, JSON.stringify(reply));
      };
      await send();
      await client.del('once');
      // The re-send of a write whose first reply was lost must not bring the value back.
      await send();
      assert.equal(await client.get('once'), null);
    } finally {
      connection.close();
      client.close();
    }
  });

  test('a read barrier is confirmed by the leader', async () => {
    const follower = cluster.addresses.find((a) => a !== leader)!;
    const reply = (await cluster.admin(follower, 'read_barrier')) as Record<string, unknown>;
    assert.equal(reply['ok'], true);
    assert.equal(reply['leader'], leader);
    assert.equal(typeof reply['index'], 'number');
  });

  test('/usr/bin/syncobj_admin -status prints every PySyncObj key', { skip: interopSkip() }, async () => {
    const follower = cluster.addresses.find((a) => a !== leader)!;
    for (const [conn, isLeader] of [[leader, true], [follower, false]] as const) {
      const r = await run(SYNCOBJ_ADMIN, ['-conn', conn, '-status', '-pass', 's3cret']);
      const keys = new Map(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      for (const k of PYSYNCOBJ_KEYS) assert.ok(keys.has(k), `${k} missing from:\n${r.stdout}`);
      assert.equal(keys.get('self'), conn);
      assert.equal(keys.get('leader'), leader);
      assert.equal(keys.get('has_quorum'), 'True');
      assert.equal(keys.get('revision'), 'deprecated');
      for (const other of cluster.addresses.filter((a) => a !== conn)) {
        assert.equal(keys.get(`partner_node_status_server_${other}`), '2');
        assert.equal(keys.has(`match_idx_server_${other}`), isLeader);
        assert.equal(keys.has(`next_node_idx_server_${other}`), isLeader);
      }
      for (const k of ['election_mode', 'voted_for', 'applied_digest', 'storage_fault']) assert.ok(keys.has(k), k);
      const sorted = [...keys.keys()];
      assert.deepEqual(sorted, [...sorted].sort(), 'syncobj_admin prints keys sorted');
    }
    const wrong = await run(SYNCOBJ_ADMIN, ['-conn', leader, '-status', '-pass', 'wrong']);
    assert.equal(wrong.stdout.trim(), 'connection lost');
    const none = await run(SYNCOBJ_ADMIN, ['-conn', leader, '-status']);
    assert.equal(none.stdout.trim(), 'connection lost');
    assert.match(cluster.logOf(leader), /failed authentication from 127\.0\.0\.1:\d+ \(PySyncObj wire\)/);
    assert.doesNotMatch(cluster.logOf(leader), /s3cret/);
  });

  test('/usr/bin/syncobj_admin set_version answers as PySyncObj does', { skip: interopSkip() }, async () => {
    const r = await run(SYNCOBJ_ADMIN, ['-conn', leader, '-set_version', '5', '-pass', 's3cret']);
    assert.equal(r.stdout.trim(), 'wrong version, current version is 1, requested version is 5');
    const ok = await run(SYNCOBJ_ADMIN, ['-conn', cluster.addresses.find((a) => a !== leader)!, '-set_version', '0', '-pass', 's3cret']);
    assert.equal(ok.stdout.trim(), 'SUCCESS SET_VERSION 0');
  });

  test('version 1 switches every member to binary commands and the 64-bit digest at the same entry', async () => {
    const writer = cluster.client([leader]);
    try {
      await writer.set('before', 'json');
      assert.equal(await cluster.admin(cluster.addresses.find((a) => a !== leader)!, 'set_version', 1), 'SUCCESS SET_VERSION 1');
      await writer.set('after', 'binary');
      await writer.del('before');
      assert.equal(await writer.get('after'), 'binary');
      assert.equal(await writer.get('before'), null);
    } finally {
      writer.close();
    }
    const settled = await waitFor('every member at the same last_applied with the same applied_digest', async () => {
      const all = await Promise.all(cluster.addresses.map((a) => cluster.status(a)));
      return new Set(all.map((s) => `${String(s['last_applied'])} ${String(s['applied_digest'])}`)).size === 1 ? all : null;
    }, 10_000);
    for (const s of settled) {
      assert.equal(s['enabled_code_version'], 1);
      assert.match(String(s['applied_digest']), /^[0-9a-f]{16}$/);
    }
  });

  test('a second node on the same data dir is refused, naming the lock', async () => {
    const r = await run(process.execPath, [NODE_BIN, '--self', '127.0.0.1:1', '--partners', '', '--data-dir', cluster.dataDir(leader)], { timeoutMs: 10_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /in use by process|belongs to member/);
  });
});

describe('start-up refusals', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'syncobj-refuse-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const start = (args: string[]) => run(process.execPath, [NODE_BIN, ...args], { timeoutMs: 10_000 });

  test('a bad flag exits 2 with the reason', async () => {
    const r = await start(['--self', '127.0.0.1:1', '--partners', '', '--data-dir', dir, '--election-mode', 'boss']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--election-mode must be candidate, voter or manual/);
  });

  test("another member's data dir is refused", async () => {
    const d = join(dir, 'owned');
    await import('node:fs/promises').then((fs) => fs.mkdir(d, { mode: 0o700 }));
    await writeFile(join(d, 'IDENTITY'), JSON.stringify({ member: '127.0.0.1:9' }) + '\n');
    const r = await start(['--self', '127.0.0.1:1', '--partners', '', '--data-dir', d]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /belongs to member 127\.0\.0\.1:9/);
  });

  test('a world-readable password file is refused', async () => {
    const pw = join(dir, 'pw');
    await writeFile(pw, 'x\n', { mode: 0o644 });
    const r = await start(['--self', '127.0.0.1:1', '--partners', '', '--data-dir', join(dir, 'd2'), '--password-file', pw]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /world-readable/);
  });
});
