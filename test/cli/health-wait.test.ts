// -health -wait (issue 14): asks again about once a second until healthy or the time is up, exits
// with the last verdict's code; on a terminal one progress line rewritten in place, in a pipe nothing
// until the end; -json gives the last verdict plus waited_ms. Fake PySyncObj members whose answers
// change over time stand in for a cluster catching up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import type { PyValue } from '../../src/wire/pysyncobj/index.js';
import { freePort } from '../support/processes.js';
import { startFakeNode, type FakeNode } from '../support/fake-pysyncobj-node.js';

function capture(isTTY: boolean) {
  const io = { stdout: '', stderr: '', isTTY, columns: 100, out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const status = (entries: [string, PyValue][]) => new Map<string, PyValue>(entries);

/** A two-member PySyncObj-like cluster: `follower` lags by `lag()` entries, or sees no leader while lag() is null. */
async function twoMembers(lag: () => number | null): Promise<{ leader: FakeNode; follower: FakeNode; asks: () => number; close: () => Promise<void> }> {
  let asks = 0;
  const leader: FakeNode = await startFakeNode(null, () =>
    status([['self', leader.address], ['state', 2], ['leader', leader.address], ['has_quorum', true], ['raft_term', 4], ['commit_idx', 1500], ['leader_commit_idx', 1500], ['last_applied', 1500], [`partner_node_status_server_${follower.address}`, 2]]),
  );
  const follower: FakeNode = await startFakeNode(null, () => {
    asks++;
    const behind = lag();
    const commit = 1500 - (behind ?? 1500);
    return status([['self', follower.address], ['state', 0], ['leader', behind === null ? null : leader.address], ['has_quorum', behind !== null], ['raft_term', 4], ['commit_idx', commit], ['leader_commit_idx', behind === null ? 0 : 1500], ['last_applied', commit], [`partner_node_status_server_${leader.address}`, 2]]);
  });
  return { leader, follower, asks: () => asks, close: () => Promise.all([leader.close(), follower.close()]).then(() => undefined) };
}

describe('-health -wait', () => {
  test('-cluster on a terminal: one progress line saying who is catching up, rewritten in place, then the verdict', async () => {
    let n = 0;
    const lags = [1204, 300, 0];
    const c = await twoMembers(() => lags[Math.min(n++, lags.length - 1)]!);
    try {
      const io = capture(true);
      const code = await main(['-conn', c.follower.address, '-health', '-cluster', '-max-lag', '100', '-wait', '20', '-timeout', '2'], {}, io);
      assert.equal(code, ExitCode.ok, io.stdout + io.stderr);
      assert.match(io.stdout, new RegExp(`^\\rwaiting \\d+ s of 20 s for ${c.follower.address.replace(/\./g, '\\.')} to catch up, lag 1,204\\x1b\\[K\\r`));
      assert.match(io.stdout, /for \S+ to catch up, lag 300\x1b\[K/);
      const [progress, rest] = [io.stdout.slice(0, io.stdout.lastIndexOf('\r\x1b[K')), io.stdout.slice(io.stdout.lastIndexOf('\r\x1b[K') + 4)];
      assert.ok(!progress.includes('\n'), 'the progress stays on one line');
      assert.match(rest, /^healthy: 2 members, leader \S+ in term 4\n\(waited [0-9.]+ s, 3 asks\)\n$/);
      assert.ok(c.asks() >= 3, `asked ${c.asks()} times`);
    } finally {
      await c.close();
    }
  });

  test('in a pipe nothing until the end; -json gives the last verdict plus waited_ms, about a second per ask', async () => {
    let n = 0;
    const c = await twoMembers(() => (n++ < 2 ? null : 0));
    try {
      const io = capture(false);
      const started = performance.now();
      const code = await main(['-conn', c.follower.address, '-health', '-wait', '20', '-json', '-timeout', '2'], {}, io);
      const ms = performance.now() - started;
      assert.equal(code, ExitCode.ok, io.stdout + io.stderr);
      assert.equal(io.stdout.split('\n').length, 2, 'one JSON line, no progress');
      const result = JSON.parse(io.stdout) as { healthy: boolean; exit_code: number; waited_ms: number; leader: string };
      assert.equal(result.healthy, true);
      assert.equal(result.leader, c.leader.address);
      // Three asks, a second apart: about 2 s, and not a busy loop.
      assert.ok(result.waited_ms >= 1800 && result.waited_ms <= ms + 1, `waited ${result.waited_ms} ms`);
      assert.equal(n, 3, 'asked three times');
    } finally {
      await c.close();
    }
  });

  test('time up: exit with the last verdict, 7 here, and its lines; nothing but the verdict in a pipe', async () => {
    const c = await twoMembers(() => null);
    try {
      const io = capture(false);
      const started = performance.now();
      const code = await main(['-conn', c.follower.address, '-health', '-wait', '1.5', '-timeout', '2'], {}, io);
      const ms = performance.now() - started;
      assert.equal(code, ExitCode.noQuorum);
      assert.match(io.stdout, /^unhealthy: \S+ sees no leader \(follower, term 4\); \S+ does not reach a majority of the cluster\n$/);
      assert.ok(ms >= 1400 && ms < 5000, `took ${Math.round(ms)} ms`);
      assert.ok(c.asks() >= 2 && c.asks() <= 3, `asked ${c.asks()} times in 1.5 s`);
    } finally {
      await c.close();
    }
  });

  test('a member that is not up yet is asked again until it answers; if it never does, exit 3 with the error, in JSON too', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    // A member that starts listening 1.2 s from now, and answers as a healthy lone leader.
    let late: FakeNode | null = null;
    const timer = setTimeout(() => {
      void startFakeNode(null, () => status([['self', address], ['state', 2], ['leader', address], ['has_quorum', true], ['raft_term', 1], ['commit_idx', 1], ['leader_commit_idx', 1]]), port).then((f) => (late = f));
    }, 1200);
    try {
      const io = capture(false);
      const code = await main(['-conn', address, '-health', '-wait', '10', '-json', '-timeout', '2'], {}, io);
      assert.equal(code, ExitCode.ok, io.stdout + io.stderr);
      assert.equal((JSON.parse(io.stdout) as { healthy: boolean }).healthy, true);
      assert.equal(io.stderr, '', 'the refusals while it waited are not reported');
    } finally {
      clearTimeout(timer);
      await (late as FakeNode | null)?.close();
    }
    const never = `127.0.0.1:${await freePort()}`;
    const io = capture(false);
    assert.equal(await main(['-conn', never, '-health', '-wait', '1', '-json', '-timeout', '1'], {}, io), ExitCode.unreachable);
    const result = JSON.parse(io.stdout) as { healthy: boolean; exit_code: number; error: string; problems: string[]; waited_ms: number };
    assert.deepEqual([result.healthy, result.exit_code, result.error], [false, ExitCode.unreachable, 'ConnectError']);
    assert.match(result.problems[0]!, /refused the connection/);
    assert.ok(result.waited_ms >= 900, `waited ${result.waited_ms} ms`);
    assert.match(io.stderr, /^syncobj-admin: \S+ refused the connection/);
  });
  test('a password every member refuses stops the wait after two asks, with the verdict it would end with anyway', async () => {
    const c = await twoMembers(() => 0);
    try {
      // The fake members have no password: a client with one is refused at the handshake.
      const single = capture(false);
      const code = await main(['-conn', c.follower.address, '-health', '-wait', '60', '-timeout', '2', '-pass', 'not-the-password', '-json'], {}, single);
      assert.equal(code, ExitCode.authOrProtocol, single.stdout + single.stderr);
      assert.match(single.stderr, /wrong password, or the node has none/);
      assert.match(single.stderr, /stopped waiting after 2 asks: the password or the protocol was refused each time/);
      const waited = (JSON.parse(single.stdout) as { waited_ms: number }).waited_ms;
      assert.ok(waited < 30_000, `gave up after ${waited} ms of a 60 s wait`);

      const cluster = capture(false);
      const clusterCode = await main(['-conn', c.follower.address, '-health', '-cluster', '-wait', '60', '-timeout', '2', '-pass', 'not-the-password'], {}, cluster);
      assert.equal(clusterCode, ExitCode.unreachable, cluster.stdout + cluster.stderr);
      assert.match(cluster.stdout, /^unreachable: no member answered/);
      assert.match(cluster.stderr, /stopped waiting after 2 asks/);
    } finally {
      await c.close();
    }
  });
});
