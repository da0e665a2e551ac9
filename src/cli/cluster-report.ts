// What -cluster prints besides the table: a row as JSON, and the health verdict as lines or JSON.

import { ExitCode } from '../errors.js';
import type { ClusterView, MemberView } from './cluster-view.js';
import type { ClusterVerdict } from './cluster-verdict.js';
import { verdictWord } from './health.js';

export function memberJson(m: MemberView): Record<string, unknown> {
  return {
    address: m.address,
    reachable: m.status !== null,
    role: m.role,
    term: m.term,
    commit: m.commit,
    applied: m.applied,
    lag: m.lag,
    connected: m.connected,
    election_mode: m.mode,
    drained: m.status?.get('drained') ?? null,
    applied_digest: m.digest,
    diverged: m.diverged,
    error: m.error,
  };
}

/** Every row -cluster shows: the members, then read-only members, then processes that are not members. */
export function viewRows(view: ClusterView): MemberView[] {
  return [...view.members, ...view.readOnly, ...view.outsiders];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per finding, worst first, each led by its verdict word; or the one healthy line. */
export function clusterHealthLines(view: ClusterView, verdict: ClusterVerdict, confirmedTerm: number | null): string {
  if (verdict.findings.length) {
    return verdict.findings.map((f) => `${verdictWord(f.code)}: ${f.text}`).join('\n') + '\n';
  }
  const leader = view.leader!;
  const readOnly = view.readOnly.length ? ` (and ${plural(view.readOnly.length, 'read-only member')})` : '';
  if (view.members.length === 1 && leader.address === view.seed) {
    return `healthy: 1 member, ${leader.address}, which leads term ${leader.term} alone and names no other member: it can speak only for itself\n`;
  }
  const how = confirmedTerm !== null ? `quorum confirmed by ${leader.address} in term ${confirmedTerm}` : `leader ${leader.address} in term ${leader.term}`;
  return `healthy: ${plural(view.members.length, 'member')}${readOnly}, ${how}\n`;
}

export function clusterHealthJson(view: ClusterView, verdict: ClusterVerdict): Record<string, unknown> {
  return {
    healthy: verdict.exitCode === ExitCode.ok,
    exit_code: verdict.exitCode,
    problems: verdict.findings.map((f) => f.text),
    leader: view.leader?.address ?? null,
    leaders: view.claimants.map((c) => c.address),
    membership: view.membershipFrom,
    members: viewRows(view).map(memberJson),
  };
}
