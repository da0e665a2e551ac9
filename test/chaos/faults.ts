// The fault schedule: a seeded sequence of faults, each applied, held for a while, then healed.

import type { Prng } from '../sim/prng.js';
import type { ChaosCluster } from './chaos-cluster.js';

export const FAULT_KINDS = [
  'isolate', 'split', 'one-way', 'delay', 'lossy', 'cut', 'stall-leader',
  'kill', 'kill-leader', 'pause', 'term-leader', 'restart-all', 'disk-full',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  at: number;
  kind: FaultKind;
  detail: string;
  heldMs: number;
}

function sample<T>(random: Prng, items: readonly T[], n: number): T[] {
  return random.shuffle([...items]).slice(0, n);
}

/** Sets every link between the groups (both directions) to `mode`. */
function partition(cluster: ChaosCluster, a: string[], b: string[], mode: 'stall' | 'refuse'): void {
  for (const x of a) for (const y of b) {
    cluster.link(x, y).set({ kind: mode });
    cluster.link(y, x).set({ kind: mode });
  }
}

/**
 * Applies one fault and returns its description; the caller holds it, then calls
 * cluster.heal(normal), which undoes every kind. `normal` loses members restarted with test flags.
 */
export async function injectFault(cluster: ChaosCluster, kind: FaultKind, random: Prng, normal: Set<string>): Promise<string> {
  const members = cluster.addresses;
  const mode = random.chance(0.5) ? 'stall' : 'refuse';
  switch (kind) {
    case 'isolate': {
      const m = random.pick(members);
      partition(cluster, [m], members.filter((x) => x !== m), mode);
      return `${m} isolated (${mode})`;
    }
    case 'split': {
      const shuffled = random.shuffle([...members]);
      const minority = shuffled.slice(0, Math.floor((members.length - 1) / 2) || 1);
      const majority = shuffled.filter((x) => !minority.includes(x));
      partition(cluster, minority, majority, mode);
      return `split ${minority.join(',')} | ${majority.join(',')} (${mode})`;
    }
    case 'one-way': {
      const chosen = sample(random, cluster.allLinks, 1 + random.int(cluster.allLinks.length / 2));
      for (const l of chosen) l.set({ kind: mode });
      return `one-way ${mode}: ${chosen.map((l) => l.name).join(' ')}`;
    }
    case 'delay': {
      const ms = 5 + random.int(150);
      const jitterMs = random.int(100);
      const chosen = random.chance(0.5) ? cluster.allLinks : sample(random, cluster.allLinks, 1 + random.int(cluster.allLinks.length));
      for (const l of chosen) l.set({ kind: 'delay', ms, jitterMs });
      return `delay ${ms}+${jitterMs} ms on ${chosen.length} links`;
    }
    case 'lossy': {
      const cutProbability = 0.01 + random.next() * 0.1;
      for (const l of cluster.allLinks) l.set({ kind: 'lossy', cutProbability });
      return `lossy links (cut ${(cutProbability * 100).toFixed(1)}% of chunks)`;
    }
    case 'cut': {
      for (const l of cluster.allLinks) l.cut();
      return 'cut every connection';
    }
    case 'stall-leader': {
      const leader = await cluster.leader();
      if (leader === null) return 'stall-leader: no leader to stall';
      partition(cluster, [leader], members.filter((x) => x !== leader), 'stall');
      return `leader ${leader} stalled off (connections held open, nothing delivered)`;
    }
    case 'kill': {
      const m = random.pick(members);
      await cluster.signal(m, 'SIGKILL');
      return `SIGKILL ${m}`;
    }
    case 'kill-leader': {
      const leader = (await cluster.leader()) ?? random.pick(members);
      await cluster.signal(leader, 'SIGKILL');
      return `SIGKILL leader ${leader}`;
    }
    case 'pause': {
      const m = random.pick(members);
      await cluster.signal(m, 'SIGSTOP');
      return `SIGSTOP ${m}`;
    }
    case 'term-leader': {
      const leader = (await cluster.leader()) ?? random.pick(members);
      await cluster.signal(leader, 'SIGTERM');
      return `SIGTERM leader ${leader}`;
    }
    case 'restart-all': {
      await Promise.all(members.map((m) => cluster.signal(m, 'SIGKILL')));
      for (const m of members) cluster.startMember(m);
      return 'SIGKILL every member, then start them all';
    }
    case 'disk-full': {
      const m = random.pick(members);
      const bytes = 1 + random.int(64 * 1024);
      await cluster.restart(m, ['--fault-disk-full-after-bytes', String(bytes)]);
      normal.delete(m);
      return `${m} restarted with a disk that fills after ${bytes} bytes`;
    }
  }
}
