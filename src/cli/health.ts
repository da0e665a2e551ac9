// Judges one member's health from its status reply: up is not healthy.

import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { StatusMap, StatusValue } from '../client/commands.js';

export interface HealthVerdict {
  exitCode: ExitCodeValue;
  node: string;
  leader: string | null;
  lag: bigint | null;
  problems: string[];
  /** What -health -wait shows it waits for, in a few words; null when healthy. */
  waitingFor: string | null;
  /** One line for a human or a probe's log. */
  line: string;
}

const ROLES: Record<string, string> = { '0': 'follower', '1': 'candidate', '2': 'leader' };

const VERDICT_WORDS: Partial<Record<ExitCodeValue, string>> = {
  [ExitCode.ok]: 'healthy',
  [ExitCode.degraded]: 'degraded',
  [ExitCode.diverged]: 'diverged',
  [ExitCode.unreachable]: 'unreachable',
};

/** The word a health line starts with, as the README's exit code table names the verdict. */
export function verdictWord(code: ExitCodeValue): string {
  return VERDICT_WORDS[code] ?? 'unhealthy';
}

/** -health -wait's words for a member that lags: "127.0.0.1:2223 to catch up, lag 1,204". */
export function catchingUp(member: string, lag: bigint): string {
  return `${member} to catch up, lag ${lag.toLocaleString('en-US')}`;
}

export function judgeHealth(status: StatusMap, maxLag: number | null): HealthVerdict {
  const node = String(status.get('self') ?? '?');
  const leader = status.get('leader');
  const role = ROLES[String(status.get('state'))] ?? 'unknown role';
  const term = status.get('raft_term');
  const lag = commitLag(status.get('leader_commit_idx'), status.get('commit_idx'));
  const problems: string[] = [];
  let waitingFor: string | null = null;
  let exitCode: ExitCodeValue = ExitCode.ok;
  if (leader === null || leader === undefined || leader === '') {
    problems.push(`${node} sees no leader (${role}, term ${term})`);
    waitingFor = `${node} to see a leader (${role}, term ${term})`;
    exitCode = ExitCode.noQuorum;
  }
  if (status.get('has_quorum') !== true) {
    problems.push(`${node} does not reach a majority of the cluster`);
    waitingFor ??= `${node} to reach a majority of the cluster`;
    exitCode = ExitCode.noQuorum;
  }
  if (exitCode === ExitCode.ok && maxLag !== null && lag !== null && lag > BigInt(maxLag)) {
    problems.push(`${node} is ${lag} entries behind the leader's commit index (limit ${maxLag})`);
    waitingFor = catchingUp(node, lag);
    exitCode = ExitCode.degraded;
  }
  const leaderText = leader === null || leader === undefined ? null : String(leader);
  const line = problems.length
    ? `${verdictWord(exitCode)}: ${problems.join('; ')}`
    : `healthy: ${node} is ${role === 'leader' ? 'the leader' : `a ${role} of ${leaderText}`}, term ${term}, commit ${status.get('commit_idx')}${lag !== null ? `, lag ${lag}` : ''}`;
  return { exitCode, node, leader: leaderText, lag, problems, waitingFor, line };
}

function commitLag(leaderCommit: StatusValue | undefined, commit: StatusValue | undefined): bigint | null {
  const asBig = (v: StatusValue | undefined) => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : null);
  const a = asBig(leaderCommit);
  const b = asBig(commit);
  if (a === null || b === null) return null;
  return a > b ? a - b : 0n;
}
