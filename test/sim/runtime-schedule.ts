// One random schedule of the real shell: RaftRuntime and NodeStorage on simulated disks under crashes
// (power cuts with fsync always, process kills with fsync never), slow and failing disks, a faulty
// network and partitions; then healed and required to commit a new write.
import type { ElectionMode, NodeId } from '../../src/raft/index.js';
import { ELECTION_TICKS, RuntimeCluster, TICK_MS } from './runtime-cluster.js';
import type { ScheduleOutcome } from './schedule.js';

/** After healing, a leader must exist and a write commit within this much virtual time. */
const LIVENESS_BOUND_MS = 40 * ELECTION_TICKS * TICK_MS;

export async function runRuntimeSchedule(seed: number, options: { trace?: boolean } = {}): Promise<ScheduleOutcome> {
  const cluster = new RuntimeCluster(seed, options.trace ?? false);
  try {
    return await simulate(seed, cluster);
  } catch (err) {
    return {
      seed,
      violations: [...cluster.checker.violations, `t=${cluster.scheduler.now}ms: the shell threw: ${(err as Error).stack ?? String(err)}`],
      trace: cluster.trace,
      ticks: cluster.scheduler.now / TICK_MS,
      stats: new Map(),
    };
  }
}

async function simulate(seed: number, cluster: RuntimeCluster): Promise<ScheduleOutcome> {
  const rng = cluster.rng;
  const size = rng.chance(0.6) ? 3 : 5;
  const voters: NodeId[] = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  // At most one `voter`: candidates stay a strict majority, so the healed cluster can always elect.
  const voterOnly = rng.chance(0.3) ? rng.int(size) : -1;
  const compactEvery = rng.pick([5, 20, 1000]);
  voters.forEach((id, i) => {
    const mode: ElectionMode = i === voterOnly ? 'voter' : 'candidate';
    cluster.addNode(id, { voters, mode, fsync: rng.chance(0.8) ? 'always' : 'never', compactEvery });
  });
  cluster.log(`seed ${seed}: ${[...cluster.nodes.values()].map((n) => `${n.id}(${n.mode}, fsync ${n.fsync})`).join(' ')}, compact every ${compactEvery}`);
  cluster.faults = { drop: rng.next() * 0.15, duplicate: rng.next() * 0.05, maxDelay: rng.int(3), reorder: true };
  const slow = rng.chance(0.4) ? rng.next() * 0.3 : 0;
  for (const n of cluster.nodes.values()) n.disk.slowSyncs = slow;
  const intensity = rng.pick([0.5, 1, 2, 3]);
  const chaosTicks = 60 + rng.int(80);
  const ids = [...cluster.nodes.keys()];

  for (let t = 0; t < chaosTicks; t++) {
    await cluster.run(TICK_MS);
    const live = cluster.live();
    if (live.length > 0 && rng.chance(0.35)) cluster.propose(rng.pick(live).id);
    const r = rng.next() / intensity;
    if (r < 0.015) {
      const leader = cluster.leader();
      if (leader) {
        const target = rng.chance(0.3) ? 'auto' : rng.pick(ids);
        cluster.log(`transfer from=${leader} to=${target}`);
        void cluster.nodes.get(leader)!.runtime!.transfer(target, 1);
      }
    } else if (r < 0.04) {
      cluster.crash(rng.pick(ids));
    } else if (r < 0.08) {
      const down = [...cluster.nodes.values()].filter((n) => !n.up);
      if (down.length > 0) cluster.restart(rng.pick(down).id);
    } else if (r < 0.085) {
      cluster.restartAll();
    } else if (r < 0.1) {
      const shuffled = rng.shuffle([...ids]);
      const cut = 1 + rng.int(shuffled.length - 1);
      cluster.partition(shuffled.slice(0, cut), shuffled.slice(cut));
    } else if (r < 0.12) {
      cluster.heal();
    } else if (r < 0.125 && live.length > 0) {
      const node = rng.pick(live);
      cluster.log(`${node.id} disk: next ${rng.chance(0.5) ? 'write' : 'fsync'} fails`);
      if (rng.chance(0.5)) node.faults?.failNextWrite('EIO', rng.int(40));
      else node.faults?.failNextFsync('EIO');
    } else if (r < 0.13 && live.length > 0) {
      // Members switch how they chain the applied digest where the version entry applies.
      const node = rng.pick(live);
      cluster.log(`set-version ${node.id} 1`);
      void node.runtime!.setVersion(1);
    }
  }
  cluster.checkLogs();

  // Heal: the network, the disks, and every member an operator would restart (down, or stuck on a failed disk).
  cluster.heal();
  cluster.faults = { drop: 0, duplicate: 0, maxDelay: 1, reorder: true };
  for (const n of cluster.nodes.values()) {
    n.disk.slowSyncs = 0;
    if (n.runtime?.storageFault) cluster.crash(n.id);
    if (!n.up) cluster.restart(n.id);
  }
  cluster.log('healed');
  const healedAt = cluster.scheduler.now;
  const probes: { done: boolean; ok: boolean }[] = [];
  let lastProbeAt = -Infinity;
  while (cluster.scheduler.now - healedAt < LIVENESS_BOUND_MS && !probes.some((p) => p.ok)) {
    await cluster.run(TICK_MS);
    const leader = cluster.leader();
    if (leader && cluster.scheduler.now - lastProbeAt >= 3 * ELECTION_TICKS * TICK_MS) {
      lastProbeAt = cluster.scheduler.now;
      probes.push(cluster.propose(leader, `probe-${seed}-${probes.length}`));
    }
  }
  cluster.checkLogs();
  const violations = [...cluster.checker.violations];
  if (!probes.some((p) => p.ok)) {
    violations.push(`t=${cluster.scheduler.now}ms: no write committed within ${LIVENESS_BOUND_MS} ms after healing`);
  }
  const leader = cluster.leader();
  if (leader) violations.push(...cluster.checker.lostAcknowledged(cluster.nodes.get(leader)!.runtime!.raft));
  const switched = [...cluster.nodes.values()].some((n) => (n.runtime?.kv.codeVersion ?? 0) >= 1);
  return { seed, violations, trace: cluster.trace, ticks: cluster.scheduler.now / TICK_MS, stats: new Map([['switched-digest', switched ? 1 : 0]]) };
}
