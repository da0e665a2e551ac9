// Diagnostic, not part of `npm run bench`: one leader change with timestamps per phase, to see where an
// outage's time goes. `node dist/test/bench/probe-outage.js [transfer|sigterm|sigkill] [trials]`
// prints, per trial, the longest ack gap of each writer in wall-clock time next to the members'
// event log lines (election, transfer, leader, stop) that fell inside it.

import { kvWriter, VALUE_10B, type Writer } from './load.js';
import { nodeCaughtUp, nodeLeader, sleep, startNodeCluster } from './util.js';

const scenario = (process.argv[2] ?? 'transfer') as 'transfer' | 'sigterm' | 'sigkill';
const trials = Number(process.argv[3] ?? 3);

function stream(w: Writer, inFlight: number, prefix: string) {
  const acks: { t: number; latency: number }[] = [];
  const failures: number[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: inFlight }, async () => {
    while (running) {
      const t = Date.now();
      const p = performance.now();
      try {
        await w.set(`${prefix}${n++}`, VALUE_10B);
        acks.push({ t: Date.now(), latency: performance.now() - p });
      } catch {
        failures.push(t);
      }
    }
  });
  return {
    acks,
    failures,
    stop: async () => {
      running = false;
      await Promise.race([Promise.all(loops), sleep(12_000)]);
    },
  };
}

function longest(acks: { t: number; latency: number }[], from: number) {
  let best = { gap: 0, start: 0, end: 0, latency: 0 };
  for (let i = 1; i < acks.length; i++) {
    if (acks[i]!.t < from) continue;
    const gap = acks[i]!.t - acks[i - 1]!.t;
    if (gap > best.gap) best = { gap, start: acks[i - 1]!.t, end: acks[i]!.t, latency: acks[i]!.latency };
  }
  return best;
}

const iso = (t: number) => new Date(t).toISOString().slice(11, 23);

const cluster = await startNodeCluster(3, { fsync: 'never' });
try {
  for (let i = 0; i < trials; i++) {
    const { leader } = await nodeLeader(cluster.addresses);
    const others = cluster.addresses.filter((a) => a !== leader);
    const follower = others[others.length - 1]!;
    const wl = kvWriter([leader, ...others]);
    const wf = kvWriter([follower]);
    const sl = stream(wl, 4, 'ol');
    const sf = stream(wf, 4, 'of');
    await sleep(500);
    const logStart = new Map([...cluster.group.logs].map(([c, l]) => [c, l.length]));
    const t0 = Date.now();
    if (scenario === 'transfer') await cluster.cli(['-conn', leader, '-transfer', 'auto']);
    else await cluster.kill(leader, scenario === 'sigterm' ? 'SIGTERM' : 'SIGKILL');
    const t1 = Date.now();
    await sleep(1500);
    await Promise.all([sl.stop(), sf.stop()]);
    wl.close();
    wf.close();
    const gl = longest(sl.acks, t0 - 200);
    const gf = longest(sf.acks, t0 - 200);
    console.log(`\n## trial ${i + 1}: ${scenario} of ${leader}; event ${iso(t0)} -> ${iso(t1)}; follower writer on ${follower}`);
    console.log(`writer on old leader: gap ${gl.gap} ms ${iso(gl.start)} -> ${iso(gl.end)} (the ack ending it took ${gl.latency.toFixed(1)} ms); failures ${sl.failures.length}`);
    console.log(`writer on follower:   gap ${gf.gap} ms ${iso(gf.start)} -> ${iso(gf.end)} (the ack ending it took ${gf.latency.toFixed(1)} ms); failures ${sf.failures.length}`);
    for (const [child, log] of cluster.group.logs) {
      const fresh = log.slice(logStart.get(child) ?? 0).split('\n').filter((l) => l && !l.includes(' kv '));
      for (const line of fresh.slice(0, 30)) console.log(`  [${child.pid}] ${line}`);
    }
    if (scenario !== 'transfer') {
      cluster.startMember(leader);
      await nodeLeader(cluster.addresses);
      await nodeCaughtUp(cluster.addresses, null);
    }
  }
} finally {
  await cluster.stop();
}
