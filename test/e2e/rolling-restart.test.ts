// examples/rolling-restart.sh on a 3-member syncobj-node cluster while KvClient writers keep writing
// (issue 14): every member restarted once (SIGTERM, then started again on its data dir), no write
// failed, every acknowledged write is there afterwards, all members hold the same state, and
// leadership moved only at a drain's hand-over, never by an election timeout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { KvClient } from 'syncobj-admin';
import { repoRoot } from '../fixtures/paths.js';
import { run } from '../support/processes.js';
import { readExposition } from '../support/prometheus-text.js';
import { NodeCluster, sleep } from '../support/node-cluster.js';

const SCRIPT = join(repoRoot, 'examples', 'rolling-restart.sh');
const ADMIN_BIN = join(repoRoot, 'bin', 'syncobj-admin');
/** Between two writes of one writer: steady traffic that leaves the 2-core machine room for the members' heartbeats. */
const WRITE_PAUSE_MS = 5;

/** Writers that keep writing until stopped, each its own keys, recording when every write was acknowledged. */
function startWriters(clients: KvClient[], perClient: number) {
  const acked = new Map<string, string>();
  const ackTimes: number[] = [];
  const failures: string[] = [];
  let running = true;
  const worker = async (client: KvClient, name: string): Promise<void> => {
    for (let n = 0; running; n++) {
      const key = `${name}-${n}`;
      try {
        await client.set(key, `v${n}`);
        acked.set(key, `v${n}`);
        ackTimes.push(performance.now());
      } catch (err) {
        failures.push(`${key}: ${(err as Error).message}`);
      }
      await sleep(WRITE_PAUSE_MS);
    }
  };
  const workers = clients.flatMap((c, i) => Array.from({ length: perClient }, (_, j) => worker(c, `w${i}.${j}`)));
  return {
    acked,
    failures,
    /** Longest time between two acknowledgements, from any writer, within [from, to]. */
    longestGapMs(from: number, to: number): number {
      const times = [from, ...ackTimes.filter((t) => t >= from && t <= to), to].sort((a, b) => a - b);
      return Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    },
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('examples/rolling-restart.sh on syncobj-node, under writes', { timeout: 180_000 }, () => {
  let cluster: NodeCluster;
  let control: Server;
  let helper: string;
  const restarts: string[] = [];

  before(async () => {
    cluster = await NodeCluster.start(3, { password: 'rolling-secret' });
    // The restart command the script runs: a helper that asks this test to SIGTERM the member and start it
    // again on its data dir, so the test owns every process it stops at the end.
    control = createServer((socket) => {
      let line = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        line += chunk.toString();
        if (!line.includes('\n')) return;
        const member = line.trim();
        void (async () => {
          if (!cluster.addresses.includes(member)) return socket.end(`${member} is not a member of this cluster\n`);
          const old = cluster.children.get(member)!;
          await cluster.kill(member, 'SIGTERM');
          if (old.exitCode === null && old.signalCode === null) return socket.end(`${member} did not stop within 5 s of SIGTERM\n`);
          cluster.startMember(member);
          restarts.push(member);
          socket.end('ok\n');
        })();
      });
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    helper = join(cluster.dir, 'restart-member.mjs');
    writeFileSync(
      helper,
      `import { connect } from 'node:net';
const [port, member] = process.argv.slice(2);
const socket = connect(Number(port), '127.0.0.1', () => socket.write(member + '\\n'));
let reply = '';
socket.on('data', (c) => (reply += c));
socket.on('end', () => { if (reply !== 'ok\\n') process.stderr.write('restart failed: ' + reply); process.exit(reply === 'ok\\n' ? 0 : 1); });
socket.on('error', (e) => { process.stderr.write('restart failed: ' + e.message + '\\n'); process.exit(1); });
`,
    );
  });
  after(async () => {
    control?.close();
    await cluster?.stop();
  });

  test('each member drained, restarted, waited for and undrained: no write fails or is lost, leadership moves only at drains', async () => {
    const first = await cluster.waitForLeader();
    const startTerm = (await cluster.status(first))['raft_term'] as number;
    const clients = [cluster.client(), cluster.client([...cluster.addresses].reverse())];
    const writers = startWriters(clients, 2);
    try {
      await sleep(300);
      const started = performance.now();
      const template = `'${process.execPath}' '${helper}' ${(control.address() as { port: number }).port} {member}`;
      const r = await run('bash', [SCRIPT, '-p', cluster.passwordFile!, '-w', '60', '-l', '500', '-r', template, ...cluster.addresses], {
        env: { ...process.env, SYNCOBJ_ADMIN: ADMIN_BIN },
        timeoutMs: 150_000,
      });
      const ended = performance.now();
      await sleep(300);
      await writers.stop();
      const longestGap = writers.longestGapMs(started, ended);
      process.stderr.write(`# rolling restart: ${Math.round(ended - started)} ms, ${writers.acked.size} writes acknowledged, longest gap ${Math.round(longestGap)} ms\n`);
      assert.equal(r.code, 0, `the script failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /done: restarted 3 members, one at a time\n$/);
      for (const [i, member] of cluster.addresses.entries()) {
        for (const step of ['drain', 'restart', 'wait', 'undrain']) assert.match(r.stdout, new RegExp(`${member.replace(/\./g, '\\.')} \\(${i + 1} of 3\\): ${step}`));
      }
      assert.deepEqual(restarts, cluster.addresses, 'every member restarted once, in the order given');
      assert.deepEqual(writers.failures, [], 'no write failed');
      assert.ok(writers.acked.size > 100, `writes kept flowing: ${writers.acked.size}`);

      // Every acknowledged write is there, read back through the leader (linearizable gets).
      const reader = cluster.client();
      const entries = [...writers.acked];
      for (let i = 0; i < entries.length; i += 64) {
        const batch = entries.slice(i, i + 64);
        const values = await Promise.all(batch.map(([k]) => reader.get(k)));
        batch.forEach(([k, v], j) => assert.equal(values[j], v, `acknowledged write ${k}`));
      }
      reader.close();

      // The same state everywhere, once every member has applied everything.
      const statuses = await waitForSameApplied(cluster);
      assert.equal(new Set(statuses.map((s) => s['last_applied'])).size, 1, `members still applying after 15 s: ${JSON.stringify(statuses.map((s) => [s['self'], s['last_applied']]))}`);
      assert.equal(new Set(statuses.map((s) => s['applied_digest'])).size, 1, `applied_digest differs: ${JSON.stringify(statuses.map((s) => [s['self'], s['last_applied'], s['applied_digest']]))}`);
      assert.ok(statuses.every((s) => s['drained'] === false && s['election_mode'] === 'candidate'), 'every member undrained');

      // Leadership moved only at a drain: each campaign after the first election is one hand-over, no
      // member led when it was stopped, and the term grew by exactly the number of hand-overs.
      const logs = cluster.group.children.map((c) => cluster.group.logs.get(c) ?? '').join('');
      const campaigns = [...logs.matchAll(/ election: campaigning in term (\d+)/g)].map((m) => Number(m[1])).filter((t) => t > startTerm);
      const handOvers = [...logs.matchAll(/ transfer: leadership handed to /g)].length;
      assert.doesNotMatch(logs, / stop: handed leadership to /, 'a member was stopped while it led');
      assert.ok(handOvers >= 1, 'the leader was drained at some point');
      assert.deepEqual(campaigns, Array.from({ length: handOvers }, (_, i) => startTerm + 1 + i), `one campaign per hand-over, none by an election timeout:\n${logs.split('\n').filter((l) => / (election|transfer|drain): /.test(l)).join('\n')}`);
      const leader = await cluster.waitForLeader();
      assert.equal((await cluster.status(leader))['raft_term'], startTerm + handOvers);

      // The same cluster as Prometheus sees it afterwards.
      const metrics = await run(process.execPath, [ADMIN_BIN, '-conn', cluster.addresses[0]!, '-pass-file', cluster.passwordFile!, '-health', '-cluster', '-prometheus']);
      assert.equal(metrics.code, 0, metrics.stdout + metrics.stderr);
      const m = readExposition(metrics.stdout);
      assert.deepEqual(new Set(m.get('syncobj_up')!.values()), new Set([1]));
      assert.deepEqual(new Set(m.get('syncobj_drained')!.values()), new Set([0]));
      assert.equal([...m.get('syncobj_leader')!.values()].filter((v) => v === 1).length, 1);
    } finally {
      await writers.stop();
      clients.forEach((c) => c.close());
    }
  });

  test('a step that fails stops the roll with its exit code, naming the member, the step and what is left drained', async () => {
    const leader = await cluster.waitForLeader();
    const member = cluster.addresses.find((a) => a !== leader)!;
    const env = { ...process.env, SYNCOBJ_ADMIN: ADMIN_BIN };
    const r = await run('bash', [SCRIPT, '-p', cluster.passwordFile!, '-r', 'echo "restarting $MEMBER" >&2; exit 7', member, leader], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 7, r.stdout + r.stderr);
    const name = member.replace(/\./g, '\\.');
    assert.match(r.stderr, new RegExp(`^restarting ${name}\n`), 'the command ran with $MEMBER set');
    assert.match(r.stderr, new RegExp(`^rolling-restart\\.sh: stopped at ${name} \\(1 of 2\\), step restart: exit code 7$`, 'm'));
    assert.match(r.stderr, new RegExp(`${name} is still drained; once it is fixed: \\S+ -conn ${name} -undrain`));
    assert.equal((await cluster.status(member))['drained'], true, 'left drained, as it says');
    assert.equal((await cluster.status(leader))['drained'], false, 'the next member was not touched');
    const undrain = await run(process.execPath, [ADMIN_BIN, '-conn', member, '-pass-file', cluster.passwordFile!, '-undrain']);
    assert.equal(undrain.code, 0, undrain.stdout + undrain.stderr);

    // Usage errors: exit 2 before anything is sent.
    for (const [args, reason] of [[[member], /missing -r COMMAND/], [['-r', 'true', 'host;reboot:1'], /is not HOST:PORT/], [['-r', 'true', '-w', 'soon', member], /-w needs whole seconds/], [['-r', 'true'], /no members given/]] as const) {
      const bad = await run('bash', [SCRIPT, ...args], { env });
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, reason);
      assert.equal(bad.stdout, '');
    }
  });
});

async function waitForSameApplied(cluster: NodeCluster): Promise<Record<string, unknown>[]> {
  const end = performance.now() + 15_000;
  for (;;) {
    const statuses = await Promise.all(cluster.addresses.map((a) => cluster.status(a)));
    if (new Set(statuses.map((s) => s['last_applied'])).size === 1 || performance.now() > end) return statuses;
    await sleep(100);
  }
}
