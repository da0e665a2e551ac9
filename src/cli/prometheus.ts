// -prometheus: the facts -status and -health know, in Prometheus' text exposition format (0.0.4),
// ready for node_exporter's textfile collector. A fact nobody reported is left out, not written as 0:
// a member that did not answer has syncobj_up 0 and nothing else.

import type { ExitCodeValue } from '../errors.js';
import type { StatusMap, StatusValue } from '../client/index.js';
import type { ClusterView } from './cluster-view.js';

/** What one member reported, or null where it did not say (or did not answer). */
export interface MemberFacts {
  member: string;
  up: boolean;
  leader: boolean | null;
  term: bigint | null;
  commit: bigint | null;
  applied: bigint | null;
  lag: bigint | null;
  drained: boolean | null;
}

type Fact = Exclude<keyof MemberFacts, 'member'>;

const FAMILIES: readonly [name: string, fact: Fact, help: string][] = [
  ['syncobj_up', 'up', 'Whether the member answered the status request (1) or not (0).'],
  ['syncobj_leader', 'leader', 'Whether the member says it is the leader.'],
  ['syncobj_raft_term', 'term', "The member's current Raft term."],
  ['syncobj_commit_index', 'commit', "The member's commit index."],
  ['syncobj_last_applied', 'applied', 'The index of the last entry the member applied.'],
  ['syncobj_lag_entries', 'lag', "Entries the member's commit index is behind the leader's."],
  ['syncobj_drained', 'drained', 'Whether the member is drained (never leads; syncobj-node only).'],
];

const HEALTH_HELP = "The health verdict as syncobj-admin's exit code: 0 healthy, 3 unreachable, 6 degraded, 7 no quorum, 8 diverged.";

const big = (v: StatusValue | undefined): bigint | null => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : null);
const flag = (v: StatusValue | undefined): boolean | null => (typeof v === 'boolean' ? v : null);

/** One member's facts from its own status; its lag is the leader's commit index it knows minus its own. */
export function factsFromStatus(member: string, status: StatusMap): MemberFacts {
  const commit = big(status.get('commit_idx'));
  const leaderCommit = big(status.get('leader_commit_idx'));
  return {
    member,
    up: true,
    leader: String(status.get('state')) === '2',
    term: big(status.get('raft_term')),
    commit,
    applied: big(status.get('last_applied')),
    lag: commit !== null && leaderCommit !== null ? (leaderCommit > commit ? leaderCommit - commit : 0n) : null,
    drained: flag(status.get('drained')),
  };
}

export function factsOfSilentMember(member: string): MemberFacts {
  return { member, up: false, leader: null, term: null, commit: null, applied: null, lag: null, drained: null };
}

/** Every member of the cluster's configuration; lag is measured against the leader's commit index. */
export function factsFromView(view: ClusterView): MemberFacts[] {
  return view.members.map((m) =>
    m.status === null
      ? factsOfSilentMember(m.address)
      : { ...factsFromStatus(m.address, m.status), lag: m.lag },
  );
}

export function renderPrometheus(members: readonly MemberFacts[], healthExitCode: ExitCodeValue): string {
  const lines: string[] = [];
  for (const [name, fact, help] of FAMILIES) {
    const samples = members.filter((m) => m[fact] !== null).map((m) => `${name}{member="${escapeLabel(m.member)}"} ${sampleValue(m[fact]!)}`);
    if (samples.length === 0) continue;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples);
  }
  lines.push(`# HELP syncobj_health_exit_code ${HEALTH_HELP}`, '# TYPE syncobj_health_exit_code gauge', `syncobj_health_exit_code ${healthExitCode}`);
  return lines.join('\n') + '\n';
}

function sampleValue(v: boolean | bigint): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : v.toString();
}

/** The format's three escapes in a label value: backslash, double quote, line feed. */
function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
