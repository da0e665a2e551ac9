// Diagnostic, not part of `npm run bench`: the CPU the public KvClient spends per write, against a
// member that answers every write at once (a child process speaking the native wire, no Raft), so
// nothing but the client is measured. `node dist/test/bench/probe-client.js [inFlight] [seconds]`

import { fork } from 'node:child_process';
import { KvClient } from 'syncobj-admin';
import { startFakeNativeMember } from '../support/fake-native-member.js';

if (process.argv[2] === '--member') {
  const member = await startFakeNativeMember((m, channel) => {
    if (m.t === 'kv') channel.send({ t: 'kv_reply', id: m.id, ok: true });
  });
  process.send!(member.port);
  process.on('disconnect', () => process.exit(0));
} else {
  const inFlight = Number(process.argv[2] ?? 1024);
  const seconds = Number(process.argv[3] ?? 4);
  const member = fork(process.argv[1]!, ['--member']);
  try {
    const port = await new Promise<number>((resolve) => member.once('message', (p) => resolve(p as number)));
    const clients = Array.from({ length: 4 }, () => new KvClient({ members: [`127.0.0.1:${port}`] }));
    let done = 0;
    const run = async (ms: number): Promise<void> => {
      const end = performance.now() + ms;
      const loop = async (c: KvClient, id: number): Promise<void> => {
        for (let n = 0; performance.now() < end; n++) {
          await c.set(`m${id}.${n}`, '0123456789');
          done++;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, (_, i) => loop(clients[i % 4]!, i)));
    };
    await run(1000);
    done = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(seconds * 1000);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(`${((done / wall) * 1000).toFixed(0)} writes/s; client CPU ${((cpu.user + cpu.system) / done).toFixed(1)} µs per write, ${((cpu.user + cpu.system) / 10 / wall).toFixed(0)} % of a core`);
    clients.forEach((c) => c.close());
  } finally {
    member.kill();
  }
}
