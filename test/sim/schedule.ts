// One random schedule: a small cluster under faults and random requests, then healed and required to make progress.
import { Cluster } from './cluster.js';
import { Prng } from './prng.js';
import type { ElectionMode, NodeId } from '../../src/raft/index.js';

export interface ScheduleOutcome {
  seed: number;
  violations: string[];
  trace: string[] | null;
  /** Virtual ticks the schedule ran. */
  ticks: number;
  stats: Map<string, number>;
}

export interface ScheduleOptions {
  trace?: boolean;
  /** Ticks of chaos before healing. */
  chaosTicks?: number;
  /** Run the schedule against the PySyncObj issue-201 bug (term and vote forgotten on restart). */
  forgetTermOnRestart?: boolean;
}

const ELECTION_TICKS = 10;
/** After healing, a leader must exist and a proposal commit within this many ticks. */
const LIVENESS_BOUND = 30 * ELECTION_TICKS;

/** Election modes for a cluster of `size` with candidates a strict majority, so it can always elect a leader. */
function pickModes(size: number, rng: Cluster['rng']): ElectionMode[] {
  const modes: ElectionMode[] = [];
  const candidates = Math.floor(size / 2) + 1 + rng.int(size - Math.floor(size / 2));
  for (let i = 0; i < size; i++) modes.push(i < candidates ? 'candidate' : rng.pick<ElectionMode>(['voter', 'manual']));
  return rng.shuffle(modes);
}

function promoteManualMember(cluster: Cluster): void {
  let best: { id: NodeId; term: number; index: number } | null = null;
  for (const n of cluster.live()) {
    const s = n.raft!.status();
    if (n.mode !== 'manual' || !s.voters.includes(n.id)) continue;
    const term = n.raft!.entries(s.lastIndex, s.lastIndex + 1)[0]?.term ?? 0;
    if (!best || term > best.term || (term === best.term && s.lastIndex > best.index)) best = { id: n.id, term, index: s.lastIndex };
  }
  if (!best) return;
  cluster.log(`operator: campaign ${best.id}`);
  cluster.on(best.id, (raft) => raft.campaign());
}

/** Runs one schedule; an exception thrown by the core is a violation too, reported with the seed. */
export function runSchedule(seed: number, options: ScheduleOptions = {}): ScheduleOutcome {
  let cluster: Cluster | null = null;
  try {
    return simulate(seed, options, (c) => (cluster = c));
  } catch (err) {
    const c = cluster as Cluster | null;
    return {
      seed,
      violations: [`t=${c?.now ?? 0}: the core threw: ${(err as Error).stack ?? String(err)}`],
      trace: c?.trace ?? null,
      ticks: c?.now ?? 0,
      stats: c?.stats ?? new Map(),
    };
  }
}

/** Leader churn runs with short election timeouts, so leaders change often within a schedule. */
const CHURN_ELECTION_TICKS = 4;

/**
 * Leader churn (thesis figure 3.7, "figure 8"): a new leader is often cut off or crashes right after
 * appending its first entry (which then lives on it alone), entries reach only some followers, and
 * others take over. Every append carries a single entry, so an entry of an old term can reach a
 * majority before the new leader's own entry does, which is when a wrong commit rule shows.
 */
function leaderChurn(cluster: Cluster, chaosTicks: number): void {
  const rng = cluster.rng;
  const ids = [...cluster.nodes.keys()];
  const seenTerms = new Set<number>();
  cluster.faults = { drop: 0.2, duplicate: 0, maxDelay: 2, reorder: true };
  for (let t = 0; t < chaosTicks; t++) {
    cluster.step();
    const leader = cluster.leader();
    if (leader !== null) {
      const term = cluster.raft(leader).softState().term;
      if (!seenTerms.has(term)) {
        seenTerms.add(term);
        if (rng.chance(0.5)) {
          cluster.dropWhere((m) => m.from === leader);
          if (rng.chance(0.5)) cluster.crash(leader);
          else cluster.isolate(leader);
          continue;
        }
      }
    }
    const r = rng.next();
    if (leader && r < 0.2) {
      cluster.propose(leader);
      const reach = rng.shuffle(ids.filter((id) => id !== leader)).slice(0, rng.int(ids.length - 1));
      cluster.log(`partial replication from ${leader} to [${reach.join(' ')}]`);
      cluster.deliver((m) => m.from === leader && m.type === 'append' && reach.includes(m.to));
      cluster.dropWhere((m) => m.from === leader && m.type === 'append');
    } else if (leader && r < 0.25) {
      if (rng.chance(0.5)) cluster.dropWhere((m) => m.from === leader);
      cluster.crash(leader);
    } else if (leader && r < 0.45) {
      cluster.isolate(leader);
    } else if (r < 0.7) {
      const down = [...cluster.nodes.values()].filter((n) => !n.raft);
      if (down.length > 0) cluster.restart(rng.pick(down).id);
    } else if (r < 0.8) {
      cluster.heal();
    }
  }
}

function simulate(seed: number, options: ScheduleOptions, expose: (c: Cluster) => void): ScheduleOutcome {
  // Drawn from its own stream, so the mixed schedules replay as they did before leader churn existed.
  const churn = new Prng(seed ^ 0x2f8e1c3d).chance(0.25);
  const cluster = new Cluster({
    seed,
    trace: options.trace ?? false,
    electionTicks: ELECTION_TICKS,
    forgetTermOnRestart: options.forgetTermOnRestart ?? false,
    ...(churn ? { maxBatchBytes: 0, electionTicks: CHURN_ELECTION_TICKS } : {}),
  });
  expose(cluster);
  const rng = cluster.rng;
  if (churn) {
    const voters: NodeId[] = rng.chance(0.8) ? ['n1', 'n2', 'n3'] : ['n1', 'n2', 'n3', 'n4', 'n5'];
    cluster.log(`seed ${seed}: leader churn, voters ${voters.join(' ')}`);
    for (const id of voters) cluster.addNode(id, { voters, mode: 'candidate', supportedCodeVersion: 1 });
    leaderChurn(cluster, options.chaosTicks ?? 200 + rng.int(100));
    return settleAndCheck(seed, cluster);
  }
  const size = rng.chance(0.6) ? 3 : 5;
  const voters: NodeId[] = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const modes = pickModes(size, rng);
  const spare: NodeId = `n${size + 1}`;
  cluster.log(`seed ${seed}: voters ${voters.map((v, i) => `${v}(${modes[i]})`).join(' ')}, spare ${spare}`);
  voters.forEach((id, i) => cluster.addNode(id, { voters, mode: modes[i]!, supportedCodeVersion: 1 + rng.int(3) }));
  let spareAdded = false;
  const modeOf = (id: NodeId): ElectionMode => cluster.node(id).mode;

  cluster.faults = { drop: rng.next() * 0.15, duplicate: rng.next() * 0.05, maxDelay: rng.int(4), reorder: true };
  cluster.crashBeforePersist = rng.chance(0.3) ? 0.002 : 0;
  cluster.crashBeforeSend = rng.chance(0.3) ? 0.002 : 0;
  const chaosTicks = options.chaosTicks ?? 60 + rng.int(80);
  // Schedules differ in how violent they are, and whether clocks drift (a node skipping ticks).
  const intensity = rng.pick([0.5, 1, 2, 3]);
  cluster.missedTicks = rng.chance(0.3) ? rng.next() * 0.3 : 0;
  cluster.parkReadies = rng.chance(0.3) ? rng.next() * 0.3 : 0;

  const ids = (): NodeId[] => [...cluster.nodes.keys()];
  for (let t = 0; t < chaosTicks; t++) {
    cluster.step();
    const live = cluster.live();
    if (live.length > 0 && rng.chance(0.35)) cluster.propose(rng.pick(live).id);
    const r = rng.next() / intensity;
    if (r < 0.015) {
      const leader = cluster.leader();
      if (leader) {
        const target = rng.chance(0.2) ? 'auto' : rng.pick(ids());
        cluster.log(`transfer from=${leader} to=${target}`);
        cluster.on(leader, (raft) => raft.transferLeadership(target, `transfer-${t}`));
      }
    } else if (r < 0.025) {
      const leader = cluster.leader();
      if (leader) {
        const s = cluster.raft(leader).status();
        const members = [...s.voters, ...s.learners];
        if (!spareAdded && !members.includes(spare)) {
          spareAdded = true;
          if (!cluster.nodes.has(spare)) cluster.addNode(spare, { voters: [], mode: 'candidate', supportedCodeVersion: 1 + rng.int(3) });
          cluster.log(`conf-change add ${spare}`);
          cluster.on(leader, (raft) => raft.proposeConfChange({ type: 'add', node: spare }, `conf-${t}`));
        } else {
          // Remove a member only while candidates stay a strict majority of the voters left.
          const victim = rng.pick(members);
          const left = s.voters.filter((v) => v !== victim);
          if (left.filter((v) => modeOf(v) === 'candidate').length * 2 > left.length && left.length >= 2) {
            cluster.log(`conf-change remove ${victim}`);
            cluster.on(leader, (raft) => raft.proposeConfChange({ type: 'remove', node: victim }, `conf-${t}`));
          }
        }
      }
    } else if (r < 0.03) {
      const node = rng.pick(live.length > 0 ? live : [...cluster.nodes.values()]);
      if (node.raft) {
        const version = rng.int(4);
        cluster.log(`set-version ${node.id} ${version}`);
        cluster.on(node.id, (raft) => raft.proposeVersion(version, `version-${t}`));
      }
    } else if (r < 0.06) {
      if (live.length > 0) {
        const node = rng.pick(live);
        cluster.on(node.id, (raft) => raft.readIndex(`read-${t}`));
      }
    } else if (r < 0.075) {
      cluster.crash(rng.pick(ids()));
    } else if (r < 0.11) {
      const down = [...cluster.nodes.values()].filter((n) => !n.raft);
      if (down.length > 0) cluster.restart(rng.pick(down).id);
    } else if (r < 0.115) {
      cluster.restartAll();
    } else if (r < 0.13) {
      const shuffled = rng.shuffle(ids());
      const cut = 1 + rng.int(shuffled.length - 1);
      cluster.partition(shuffled.slice(0, cut), shuffled.slice(cut));
    } else if (r < 0.15) {
      cluster.heal();
    } else if (r < 0.17) {
      if (live.length > 0) cluster.compact(rng.pick(live).id);
    } else if (r < 0.175) {
      if (live.length > 0) rng.pick(live).failNextPersist = true;
    }
  }

  return settleAndCheck(seed, cluster);
}

/** Heals everything; the cluster must elect a leader and commit a new proposal in bounded time, losing nothing acknowledged. */
function settleAndCheck(seed: number, cluster: Cluster): ScheduleOutcome {
  cluster.heal();
  cluster.faults = { drop: 0, duplicate: 0, maxDelay: 1, reorder: true };
  cluster.crashBeforePersist = 0;
  cluster.crashBeforeSend = 0;
  cluster.missedTicks = 0;
  cluster.parkReadies = 0;
  cluster.finishParked();
  for (const n of cluster.nodes.values()) {
    n.failNextPersist = false;
    if (!n.raft) cluster.restart(n.id);
  }
  cluster.log('healed');
  const healedAt = cluster.now;
  // A probe can legitimately stay undecided (its leader was deposed and nothing has committed past it
  // yet) or fail, so a new probe goes to the current leader every few election timeouts.
  const probes: { node: NodeId; requestId: string }[] = [];
  let lastProbeAt = -Infinity;
  let progressed = false;
  let leaderlessSince = cluster.now;
  while (cluster.now - healedAt < LIVENESS_BOUND && !progressed) {
    cluster.step();
    const leader = cluster.leader();
    if (leader) leaderlessSince = cluster.now;
    else if (cluster.now - leaderlessSince >= 5 * ELECTION_TICKS) {
      // The longest log may be on a `manual` member (it led after a transfer): only it can win, and it
      // campaigns only when asked. Do what an operator would: promote the most up-to-date one.
      leaderlessSince = cluster.now;
      promoteManualMember(cluster);
    }
    if (leader && cluster.leaders().length === 1 && cluster.now - lastProbeAt >= 3 * ELECTION_TICKS) {
      lastProbeAt = cluster.now;
      probes.push({ node: leader, requestId: cluster.propose(leader, `probe-${seed}-${probes.length}`) });
    }
    progressed = probes.some((p) => {
      const r = cluster.result(p.node, p.requestId, 'proposal');
      return r !== undefined && r.type === 'proposal' && r.ok;
    });
  }
  const violations = [...cluster.checker.violations];
  if (!progressed) violations.push(`t=${cluster.now}: no proposal committed within ${LIVENESS_BOUND} ticks after healing\n${cluster.state()}`);
  const leader = cluster.leader();
  if (leader) violations.push(...cluster.checker.lostAcknowledged(cluster.raft(leader)));
  return { seed, violations, trace: cluster.trace, ticks: cluster.now, stats: cluster.stats };
}
