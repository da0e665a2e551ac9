// -cluster's picture of the cluster from the members' status replies: who leads, who is a member,
// and each member's row. The membership is the configuration of the leader of the highest term
// that a majority of that configuration follows (issue 10), so every member of the cluster gives
// the same picture whichever one -conn names; with no such leader, the union of what they report.

import type { StatusMap, StatusValue } from '../client/index.js';
import type { ExitCodeValue } from '../errors.js';
import { isSyncobjNode } from './pysyncobj-version.js';

export interface StatusReply {
  status: StatusMap | null;
  /** Why there is no status: the error the client raised. */
  error: string | null;
  /** That error's exit code (3 unreachable, 4 auth/protocol, 5 timeout). */
  errorCode: ExitCodeValue | null;
}
export type StatusReplies = Map<string, StatusReply>;

export type Role = 'leader' | 'follower' | 'candidate' | 'learner (catching up)' | 'unknown' | 'unreachable' | 'read-only' | 'not a member';

export interface MemberView {
  /** HOST:PORT; for a read-only member, which has none, `read-only #ID`. */
  address: string;
  status: StatusMap | null;
  error: string | null;
  errorCode: ExitCodeValue | null;
  role: Role;
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
  /** The leader this member names, if any. */
  leaderSeen: string | null;
  /** The members its status names: itself and its partners. */
  configuration: string[];
}

export interface ClusterView {
  /** The cluster's members (the leader's configuration), sorted by address. */
  members: MemberView[];
  leader: MemberView | null;
  /** Every member that claims to lead, the leader first. */
  claimants: MemberView[];
  /** Where `members` came from: the leader's configuration, or the union when no leader has a majority behind it. */
  membershipFrom: 'leader' | 'union';
  /** Processes that answered but are not in the leader's configuration (removed, or never added). */
  outsiders: MemberView[];
  /** PySyncObj read-only members (patronictl, Patroni without self_addr) as the leader sees them; never voters. */
  readOnly: MemberView[];
  /** The member -conn named. */
  seed: string;
  syncobjNodes: boolean;
}

const ROLE: Record<string, Role> = { '0': 'follower', '1': 'candidate', '2': 'leader' };

const big = (v: StatusValue | undefined): bigint | null => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : null);
const text = (v: StatusValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

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

export function majorityOf(size: number): number {
  return Math.floor(size / 2) + 1;
}

function memberRow(address: string, { status, error, errorCode }: StatusReply): MemberView {
  return {
    address,
    status,
    error,
    errorCode,
    role: status ? (ROLE[String(status.get('state'))] ?? 'unknown') : 'unreachable',
    term: big(status?.get('raft_term')),
    commit: big(status?.get('commit_idx')),
    applied: big(status?.get('last_applied')),
    lag: null,
    connected: null,
    mode: text(status?.get('election_mode')),
    digest: text(status?.get('applied_digest')),
    diverged: false,
    leaderSeen: text(status?.get('leader')),
    configuration: status ? membersOf(status) : [],
  };
}

/** The members of `claimant`'s configuration that follow it in its term, itself included. */
export function followersOf(claimant: MemberView, rows: readonly MemberView[]): MemberView[] {
  const config = new Set(claimant.configuration);
  return rows.filter((m) => config.has(m.address) && (m === claimant || (m.leaderSeen === claimant.address && m.term === claimant.term)));
}

/** The leader of the highest term with a majority of its own configuration behind it, or null. */
function electedLeader(claimants: MemberView[], rows: MemberView[]): MemberView | null {
  const backed = claimants
    .map((c) => ({ c, following: followersOf(c, rows).length }))
    .filter(({ c, following }) => following >= majorityOf(c.configuration.length));
  backed.sort((a, b) => Number((b.c.term ?? 0n) - (a.c.term ?? 0n)) || b.following - a.following);
  return backed[0]?.c ?? null;
}

export function buildView(replies: StatusReplies, seed: string): ClusterView {
  const rows = [...replies].map(([address, reply]) => memberRow(address, reply));
  const claimants = rows.filter((m) => m.role === 'leader');
  const leader = electedLeader(claimants, rows);
  const membership = new Set(leader ? leader.configuration : rows.map((m) => m.address));
  const members = rows.filter((m) => membership.has(m.address));
  // A member of the configuration that nobody could ask (discovery stops after a few rounds) is still listed.
  for (const address of membership) if (!replies.has(address)) members.push(memberRow(address, { status: null, error: 'not asked', errorCode: null }));
  const outsiders = rows.filter((m) => !membership.has(m.address) && m.status !== null);
  for (const m of outsiders) m.role = 'not a member';
  const reference = leader?.commit ?? members.reduce<bigint | null>((max, m) => (m.commit !== null && (max === null || m.commit > max) ? m.commit : max), null);
  for (const m of members) {
    if (reference !== null && m.commit !== null) m.lag = reference > m.commit ? reference - m.commit : 0n;
    if (m === leader) m.connected = true;
    else if (leader?.status) {
      const link = leader.status.get(`partner_node_status_server_${m.address}`);
      m.connected = link === undefined ? null : link === 2;
      if (leader.status.has(`learner_node_status_server_${m.address}`)) m.role = 'learner (catching up)';
    }
  }
  markDivergence(members);
  const byAddress = (a: MemberView, b: MemberView) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  members.sort(byAddress);
  return {
    members,
    leader,
    claimants: claimants.filter((c) => membership.has(c.address)).sort((a, b) => (a === leader ? -1 : b === leader ? 1 : Number((b.term ?? 0n) - (a.term ?? 0n)))),
    membershipFrom: leader ? 'leader' : 'union',
    outsiders: outsiders.sort(byAddress),
    readOnly: readOnlyRows(leader ?? rows.find((m) => m.address === seed) ?? null),
    seed,
    syncobjNodes: rows.some((m) => m.status !== null && isSyncobjNode(m.status)),
  };
}

function readOnlyRows(seenBy: MemberView | null): MemberView[] {
  const out: MemberView[] = [];
  for (const [key, value] of seenBy?.status ?? []) {
    const m = /^readonly_node_status_server_(.+)$/.exec(key);
    if (!m) continue;
    const row = memberRow(`read-only #${m[1]}`, { status: null, error: null, errorCode: null });
    row.role = 'read-only';
    row.connected = value === 2;
    out.push(row);
  }
  return out;
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
