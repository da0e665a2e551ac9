// Diagnostic, not part of `npm run bench`: where one sequential write's time goes on loopback. Compares,
// on one open connection to the leader: a status request (transport + framing, no Raft), a linearizable
// get (one heartbeat round to a quorum, no disk), a write on a single-member cluster (log append +
// apply, no replication) and a write on 3 members (append, replicate, commit, apply).
// `node dist/test/bench/probe-latency.js [count]`

import { deriveNativeKey } from '../../src/wire/native/index.js';
import { NativeConnection } from '../../src/client/native-connection.js';
import { KvClient } from 'syncobj-admin';
import { median, percentile } from './stats.js';
import { nodeLeader, startNodeCluster } from './util.js';

const count = Number(process.argv[2] ?? 300);

async function timeIt(label: string, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await op();
  const xs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op();
    xs.push(performance.now() - t);
  }
  console.log(`${label.padEnd(48)} p50 ${median(xs).toFixed(3)} ms  p90 ${percentile(xs, 90).toFixed(3)}  p99 ${percentile(xs, 99).toFixed(3)}`);
}

for (const members of [1, 3]) {
  for (const fsync of ['never', 'always'] as const) {
    const cluster = await startNodeCluster(members, { fsync });
    try {
      const { leader } = await nodeLeader(cluster.addresses);
      const conn = await NativeConnection.open(leader, await deriveNativeKey(null), 3000);
      const kv = new KvClient({ members: [leader], password: null, timeoutMs: 5000 });
      const tag = `${members} member(s), --fsync ${fsync}:`;
      await timeIt(`${tag} status RTT`, () => conn.request({ t: 'admin', cmd: 'status' }, 3000));
      await timeIt(`${tag} kv get (ReadIndex)`, () => kv.get('k'));
      let i = 0;
      await timeIt(`${tag} kv set`, () => kv.set(`k${i++}`, '0123456789'));
      conn.close();
      kv.close();
    } finally {
      await cluster.stop();
    }
  }
}
