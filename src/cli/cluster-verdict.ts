// The verdict on a cluster view: what is wrong, each finding with the exit code it earns, and the
// worst of them. Pure, so the split views of issue 10 are tested without processes.

import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { ReadBarrier } from '../client/index.js';
import { followersOf, majorityOf, type ClusterView, type MemberView } from './cluster-view.js';
import { catchingUp } from './health.js';

export interface Finding {
  code: ExitCodeValue;
  /** The member the finding is about, for its row in the table; null for the cluster as a whole. */
  member: string | null;
  /** A few words for the table's note column. */
  short: string;
  /** The full sentence. */
  text: string;
  /** What -health -wait shows it waits for, in a few words ("127.0.0.1:2223 to catch up, lag 1,204"). */
  waitingFor: string;
}

export interface ClusterVerdict {
  exitCode: ExitCodeValue;
  /** Worst first. */
  findings: Finding[];
}

/** Worse first: an unreachable cluster, then no quorum, then split or diverged, then degraded. */
const SEVERITY: ExitCodeValue[] = [ExitCode.ok, ExitCode.degraded, ExitCode.diverged, ExitCode.noQuorum, ExitCode.unreachable];

const severity = (code: ExitCodeValue) => SEVERITY.indexOf(code);

export function worstOf(codes: readonly ExitCodeValue[]): ExitCodeValue {
  return codes.reduce<ExitCodeValue>((worst, c) => (severity(c) > severity(worst) ? c : worst), ExitCode.ok);
}

const answerOf = (m: MemberView) => `${m.address} to answer (${errorReason(m)})`;

/** The client's messages start with the address already; a line names it once. */
export function errorReason(m: MemberView): string {
  const error = m.error ?? 'no answer';
  return error.startsWith(m.address + ' ') ? error.slice(m.address.length + 1) : error;
}

const SHORT_ERROR: Partial<Record<ExitCodeValue, string>> = { [ExitCode.unreachable]: 'no answer', [ExitCode.authOrProtocol]: 'auth/protocol', [ExitCode.timeout]: 'timed out' };

function followedBy(c: MemberView, view: ClusterView): string {
  const size = c.configuration.length;
  return `term ${c.term}, followed by ${followersOf(c, view.members).length} of the ${size} member${size === 1 ? '' : 's'} it names`;
}

function partnersOf(m: MemberView): string {
  const partners = m.configuration.filter((a) => a !== m.address);
  return partners.length ? `${partners.join(', ')} as its partners` : 'no partners';
}

export function judgeCluster(view: ClusterView, maxLag: number | null, barrier: ReadBarrier | null): ClusterVerdict {
  const findings: Finding[] = [];
  const add = (code: ExitCodeValue, member: string | null, short: string, text: string, waitingFor = text) => findings.push({ code, member, short, text, waitingFor });
  const answered = [...view.members, ...view.outsiders].filter((m) => m.status !== null);
  if (answered.length === 0) {
    add(ExitCode.unreachable, null, 'no answer', 'no member answered', 'any member to answer');
    for (const m of view.members) add(ExitCode.unreachable, m.address, SHORT_ERROR[m.errorCode ?? ExitCode.unreachable] ?? 'no answer', `${m.address} ${errorReason(m)}`, answerOf(m));
    return { exitCode: ExitCode.unreachable, findings };
  }
  const { leader } = view;
  const outsider = view.outsiders.find((m) => m.address === view.seed);
  if (outsider) {
    const of = leader ? `the cluster led by ${leader.address} (term ${leader.term})` : 'the cluster its partners form';
    add(ExitCode.degraded, outsider.address, 'not a member', `${outsider.address} is not a member of ${of}; it still runs, with ${partnersOf(outsider)} (removed, or never added?)`);
  }
  if (view.claimants.length > 1) {
    const [first, ...others] = view.claimants;
    for (const c of others) {
      add(ExitCode.diverged, c.address, 'also leads', `two leaders: ${first!.address} (${followedBy(first!, view)}) and ${c.address} (${followedBy(c, view)})`);
    }
  }
  if (!leader) {
    const lone = view.claimants.length === 1 ? view.claimants[0]! : null;
    if (lone) {
      add(ExitCode.noQuorum, lone.address, 'no majority', `the leader ${lone.address} does not reach a majority (${followedBy(lone, view)}; ${majorityOf(lone.configuration.length)} needed)`, `a majority to follow ${lone.address}`);
    } else if (view.claimants.length === 0) {
      add(ExitCode.noQuorum, null, 'no leader', 'no member is the leader', 'a leader');
    }
  } else if (barrier && !barrier.ok) {
    add(ExitCode.noQuorum, leader.address, 'no quorum', `the leader ${leader.address} could not confirm its quorum: ${barrier.reason ?? 'no reason given'}`, `the leader ${leader.address} to confirm its quorum`);
  } else if (leader.status?.get('has_quorum') !== true) {
    add(ExitCode.noQuorum, leader.address, 'no quorum', `the leader ${leader.address} does not reach a majority`, `the leader ${leader.address} to reach a majority`);
  }
  for (const m of view.members) {
    if (m.status === null) {
      add(ExitCode.degraded, m.address, SHORT_ERROR[m.errorCode ?? ExitCode.unreachable] ?? 'no answer', `${m.address} ${errorReason(m)}`, answerOf(m));
      continue;
    }
    if (leader && m !== leader && !view.claimants.includes(m)) {
      if (m.leaderSeen !== leader.address) {
        const sees = m.leaderSeen ?? 'no leader';
        add(ExitCode.degraded, m.address, m.leaderSeen ? 'other leader' : 'no leader', `${m.address} (${m.role}, term ${m.term}) sees ${sees}, not the leader ${leader.address}`, `${m.address} to follow ${leader.address} (it sees ${sees})`);
      } else if (m.term !== leader.term) {
        add(ExitCode.degraded, m.address, `term ${m.term}`, `${m.address} is in term ${m.term}, the leader ${leader.address} in term ${leader.term}`, `${m.address} to reach term ${leader.term}`);
      }
    }
    if (maxLag !== null && m.lag !== null && m.lag > BigInt(maxLag)) {
      add(ExitCode.degraded, m.address, `lag ${m.lag}`, `${m.address} is ${m.lag} entries behind the leader (limit ${maxLag})`, catchingUp(m.address, m.lag));
    }
    if (m.diverged) {
      add(ExitCode.diverged, m.address, 'DIVERGED', `${m.address} diverged: applied_digest ${m.digest} at last_applied ${m.applied} differs from another member's`);
    }
    const fault = m.status.get('storage_fault');
    if (fault) add(ExitCode.degraded, m.address, 'storage fault', `${m.address} has a storage fault: ${String(fault)}`);
  }
  findings.sort((a, b) => severity(b.code) - severity(a.code));
  return { exitCode: worstOf(findings.map((f) => f.code)), findings };
}
