// syncobj-admin against a real 3-member PySyncObj cluster, side by side with /usr/bin/syncobj_admin:
// the same stdout where the Python client is right, and real exit codes and errors where it is not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { freePort } from '../support/processes.js';
import {
  interopSkip, ourAdmin, startPysyncobjCluster, statusField, theirAdmin, waitForLeader, type PysyncobjCluster,
} from '../support/pysyncobj-cluster.js';

const skip = interopSkip();
/** uptime ticks between the two calls; everything else of an idle cluster must match byte for byte. */
const withoutUptime = (s: string) => s.replace(/^uptime: \d+\n/m, '');

for (const password of [null, 'interop-secret']) {
  describe(`real PySyncObj cluster, ${password ? 'with' : 'without'} a password`, { skip }, () => {
    let cluster: PysyncobjCluster;
    let leader: string;
    let follower: string;
    before(async () => {
      cluster = await startPysyncobjCluster(3, password ? { password } : {});
      leader = await waitForLeader(cluster);
      follower = cluster.addresses.find((a) => a !== leader)!;
    });
    after(async () => cluster?.stop());

    test('status of the leader and of a follower: same bytes as syncobj_admin, exit 0', async () => {
      for (const node of [leader, follower]) {
        const theirs = await theirAdmin(cluster, ['-conn', node, '-status']);
        const ours = await ourAdmin(cluster, ['-conn', node, '-status']);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(ours.stderr, '');
        assert.equal(withoutUptime(ours.stdout), withoutUptime(theirs.stdout));
        assert.match(ours.stdout, /^uptime: \d+$/m);
        assert.match(ours.stdout, /^has_quorum: True$/m);
      }
    });

    test('status as JSON carries the same keys, with Python booleans as JSON booleans', async () => {
      const ours = await ourAdmin(cluster, ['-conn', leader, '-status', '-json']);
      assert.equal(ours.code, 0, ours.stderr);
      const parsed = JSON.parse(ours.stdout) as Record<string, unknown>;
      const theirs = await theirAdmin(cluster, ['-conn', leader, '-status']);
      const theirKeys = theirs.stdout.trim().split('\n').map((l) => l.slice(0, l.indexOf(': ')));
      assert.deepEqual(Object.keys(parsed), theirKeys);
      assert.equal(parsed['has_quorum'], true);
      assert.equal(parsed['leader'], leader);
    });

    test('add through a follower and remove: SUCCESS lines as syncobj_admin prints them', async () => {
      const extra = `127.0.0.1:${await freePort()}`;
      const added = await ourAdmin(cluster, ['-conn', follower, '-add', extra]);
      assert.equal(added.stdout, `SUCCESS ADD ${extra}\n`);
      assert.equal(added.code, 0);
      const removed = await theirAdmin(cluster, ['-conn', follower, '-remove', extra]);
      assert.equal(removed.stdout, `SUCCESS REMOVE ${extra}\n`);
      const other = `127.0.0.1:${await freePort()}`;
      assert.equal((await theirAdmin(cluster, ['-conn', leader, '-add', other])).stdout, `SUCCESS ADD ${other}\n`);
      const ourRemove = await ourAdmin(cluster, ['-conn', leader, '-remove', other]);
      assert.equal(ourRemove.stdout, `SUCCESS REMOVE ${other}\n`);
      assert.equal(ourRemove.code, 0);
    });

    test('remove-self: the same FAIL line, but exit 1 instead of 0', async () => {
      const theirs = await theirAdmin(cluster, ['-conn', follower, '-remove', follower]);
      const ours = await ourAdmin(cluster, ['-conn', follower, '-remove', follower]);
      assert.equal(theirs.stdout, `FAIL REMOVE ${follower}\n`);
      assert.equal(theirs.code, 0);
      assert.equal(ours.stdout, theirs.stdout);
      assert.equal(ours.code, ExitCode.commandFailed);
    });

    test('set_version above what members support: the node\'s reason, exit 1', async () => {
      const theirs = await theirAdmin(cluster, ['-conn', leader, '-set_version', '1']);
      const ours = await ourAdmin(cluster, ['-conn', leader, '-set_version', '1']);
      assert.equal(ours.stdout, theirs.stdout);
      assert.match(ours.stdout, /version/);
      assert.equal(ours.code, ExitCode.commandFailed);
      const same = await ourAdmin(cluster, ['-conn', leader, '-set_version', '0']);
      assert.equal(same.stdout, (await theirAdmin(cluster, ['-conn', leader, '-set_version', '0'])).stdout);
    });

    test('transfer to a 0.3.11 node is refused before anything is sent, and the leader survives', async () => {
      const ours = await ourAdmin(cluster, ['-conn', leader, '-transfer', follower, '-timeout', '3']);
      assert.equal(ours.code, ExitCode.commandFailed);
      assert.match(ours.stderr, /runs PySyncObj 0\.3\.11, which has no leadership transfer; nothing was sent/);
      assert.equal(ours.stdout, '');
      // Sending 'transfer' would have killed its poll thread; it still answers and still leads.
      const after = await ourAdmin(cluster, ['-conn', leader, '-status', '-timeout', '3']);
      assert.equal(after.code, 0, after.stderr);
      assert.equal(statusField(after, 'leader'), leader);
    });

    test('health: exit 0 with one line; -max-lag accepted', async () => {
      const ours = await ourAdmin(cluster, ['-conn', follower, '-health', '-max-lag', '1000']);
      assert.equal(ours.code, 0, ours.stdout + ours.stderr);
      assert.match(ours.stdout, new RegExp(`^healthy: ${follower} is a follower of ${leader.replace(/\./g, '\\.')}`));
      assert.equal(ours.stdout.split('\n').length, 2);
    });

    test('a wrong password: syncobj_admin says "connection lost" and exits 0; we say why and exit 4', async () => {
      const args = ['-conn', leader, '-status', '-pass', 'wrong'];
      const theirs = await theirAdmin({ ...cluster, password: null }, args);
      assert.equal(theirs.stdout, 'connection lost\n');
      assert.equal(theirs.code, 0);
      const ours = await ourAdmin({ ...cluster, password: null }, args);
      assert.equal(ours.code, ExitCode.authOrProtocol);
      assert.equal(ours.stdout, '');
      assert.match(ours.stderr, password ? /during the handshake: wrong password, or the node has none/ : /wrong password, or the node has none/);
    });

    test('no password at all: the error says which side expected one', async () => {
      const ours = await ourAdmin({ ...cluster, password: null }, ['-conn', leader, '-status', '-timeout', '5']);
      if (password) {
        assert.equal(ours.code, ExitCode.authOrProtocol);
        assert.match(ours.stderr, /needs a password/);
      } else {
        assert.equal(ours.code, 0);
      }
    });

    // Only a cluster with a password has one to read from a file or the environment.
    if (password) test('the password from -pass-file and from SYNCOBJ_PASSWORD', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'syncobj-pass-'));
      try {
        const file = join(dir, 'pw');
        writeFileSync(file, password + '\n');
        chmodSync(file, 0o600);
        const viaFile = await ourAdmin({ ...cluster, password: null }, ['-conn', leader, '-status', '-pass-file', file]);
        assert.equal(viaFile.code, 0, viaFile.stderr);
        assert.equal(statusField(viaFile, 'leader'), leader);
        const viaEnv = await ourAdmin({ ...cluster, password: null }, ['--conn', leader, '--status'], { ...process.env, SYNCOBJ_PASSWORD: password! });
        assert.equal(viaEnv.code, 0, viaEnv.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('no cluster needed', { skip }, () => {
  const none = { addresses: [], password: null } as unknown as PysyncobjCluster;

  test('a refused port: "connection lost" and exit 0 there; "refused" and exit 3 here', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const theirs = await theirAdmin(none, ['-conn', addr, '-status']);
    assert.equal(theirs.code, 0);
    const ours = await ourAdmin(none, ['-conn', addr, '-status']);
    assert.equal(ours.code, ExitCode.unreachable);
    assert.match(ours.stderr, /refused the connection/);
    assert.equal(ours.stdout, '');
  });

  test('a bad address: the same words, on stderr, exit 2, nothing sent', async () => {
    const theirs = await theirAdmin(none, ['-conn', 'nohost', '-status']);
    assert.equal(theirs.stdout, 'invalid address to connect\n');
    const ours = await ourAdmin(none, ['-conn', 'nohost', '-status']);
    assert.equal(ours.code, ExitCode.usage);
    assert.match(ours.stderr, /^syncobj-admin: invalid address to connect: 'nohost'/);
    const badAdd = await ourAdmin(none, ['-conn', '127.0.0.1:1', '-add', '127.0.0.1:99999']);
    assert.equal(badAdd.code, ExitCode.usage);
    assert.match(badAdd.stderr, /invalid address to command add/);
  });
});
