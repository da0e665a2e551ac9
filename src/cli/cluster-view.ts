// -cluster: from one member, find every member and ask each for its status in parallel, each
// with its own deadline. Members that do not answer stay in the view, with the reason.

import { parseAddress, type AdminClient, type StatusMap, type StatusValue } from '../client/index.js';
import { isSyncobjNode } from './pysyncobj-version.js';

export interface MemberView {
  address: string;
  status: StatusMap | null;
  /** Why there is no status: the error the client raised. */
  error: string | null;
  role: 'leader' | 'follower' | 'candidate' | 'learner (catching up)' | 'unknown' | 'unreachable';
  term: bigint | null;
  commit: bigint | null;
  applied: bigint | null;
  /** Entries behind the leader's commit index. */
  lag: bigint | null;
  /** As the leader sees the link: true connected, false not, null unknown. */
  connected: boolean | null;
  mode: string | null;
  digest: string | null;
  /** Another member at the same last_applied reports a different applied_digest. */
  diverged: boolean;
}

export interface ClusterView {
  members: MemberView[];
  leader: MemberView | null;
  syncobjNodes: boolean;
}

const ROLE: Record<string, MemberView['role']> = { '0': 'follower', '1': 'candidate', '2': 'leader' };

const big = (v: StatusValue | undefined): bigint | null => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : null);

/** Members named by a status reply: itself, and its partners (PySyncObj's per-partner keys). */
export function membersOf(status: StatusMap): string[] {
  const out: string[] = [];
  const self = status.get('self');
  if (typeof self === 'string') out.push(self);
  for (const key of status.keys()) {
    const m = /^partner_node_status_server_(.+)$/.exec(key);
    if (m) out.push(m[1]!);
  }
  return out;
}

export async function gatherCluster(client: AdminClient, seed: string, timeoutMs: number): Promise<ClusterView> {
  const results = new Map<string, { status: StatusMap | null; error: string | null }>();
  const ask = async (address: string) => {
    const parsed = parseAddress(address);
    if (!parsed) return void results.set(address, { status: null, error: `'${address}' is not HOST:PORT` });
    try {
      results.set(address, { status: await client.status(parsed, timeoutMs), error: null });
    } catch (err) {
      results.set(address, { status: null, error: (err as Error).message });
    }
  };
  await ask(seed);
  const seedStatus = results.get(seed)!.status;
  // The seed may have been given by another name (a hostname); the cluster knows it by `self`.
  const seedSelf = seedStatus ? String(seedStatus.get('self') ?? seed) : seed;
  if (seedSelf !== seed && seedStatus) {
    results.set(seedSelf, results.get(seed)!);
    results.delete(seed);
  }
  // Two rounds: members named only by members found in the first round are asked too.
  for (let round = 0; round < 2; round++) {
    const named = new Set<string>();
    for (const r of results.values()) if (r.status) for (const m of membersOf(r.status)) named.add(m);
    const missing = [...named].filter((m) => !results.has(m));
    if (!missing.length) break;
    await Promise.all(missing.map(ask));
  }
  return buildView(results);
}

export function buildView(results: Map<string, { status: StatusMap | null; error: string | null }>): ClusterView {
  const members: MemberView[] = [...results].map(([address, { status, error }]) => ({
    address,
    status,
    error,
    role: status ? (ROLE[String(status.get('state'))] ?? 'unknown') : 'unreachable',
    term: big(status?.get('raft_term')),
    commit: big(status?.get('commit_idx')),
    applied: big(status?.get('last_applied')),
    lag: null,
    connected: null,
    mode: typeof status?.get('election_mode') === 'string' ? (status.get('election_mode') as string) : null,
    digest: typeof status?.get('applied_digest') === 'string' ? (status.get('applied_digest') as string) : null,
    diverged: false,
  }));
  const leaders = members.filter((m) => m.role === 'leader').sort((a, b) => Number((b.term ?? 0n) - (a.term ?? 0n)));
  const leader = leaders[0] ?? null;
  const reference = leader?.commit ?? members.reduce<bigint | null>((max, m) => (m.commit !== null && (max === null || m.commit > max) ? m.commit : max), null);
  for (const m of members) {
    if (reference !== null && m.commit !== null) m.lag = reference > m.commit ? reference - m.commit : 0n;
    if (leader?.status && m !== leader) {
      const link = leader.status.get(`partner_node_status_server_${m.address}`);
      m.connected = link === undefined ? null : link === 2;
      if (leader.status.has(`learner_node_status_server_${m.address}`)) m.role = 'learner (catching up)';
    } else if (m === leader) {
      m.connected = true;
    }
  }
  markDivergence(members);
  members.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { members, leader, syncobjNodes: members.some((m) => m.status !== null && isSyncobjNode(m.status)) };
}

/** Members at the same last_applied must hold the same state; any disagreement marks all of them. */
function markDivergence(members: MemberView[]): void {
  const byApplied = new Map<bigint, MemberView[]>();
  for (const m of members) {
    if (m.applied === null || m.digest === null) continue;
    byApplied.set(m.applied, [...(byApplied.get(m.applied) ?? []), m]);
  }
  for (const group of byApplied.values()) {
    if (new Set(group.map((m) => m.digest)).size > 1) for (const m of group) m.diverged = true;
  }
}
