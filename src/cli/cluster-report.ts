// Renders the cluster view (a table, or JSON) and judges the cluster's health from it.

import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { ReadBarrier } from '../client/index.js';
import type { ClusterView, MemberView } from './cluster-view.js';

const text = (v: bigint | string | null) => (v === null ? '-' : String(v));

/** The client's messages start with the address already; a row or a line names it once. */
function reason(m: MemberView): string {
  const error = m.error ?? 'no answer';
  return error.startsWith(m.address + ' ') ? error.slice(m.address.length + 1) : error;
}

function note(m: MemberView): string {
  if (m.error) return reason(m);
  const notes: string[] = [];
  if (m.diverged) notes.push('DIVERGED: another member at this applied index holds other state');
  if (m.status?.get('storage_fault')) notes.push(`storage fault: ${String(m.status.get('storage_fault'))}`);
  return notes.join('; ');
}

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

/** cli-table3 and chalk are loaded only here, never on the -status hot path. */
export async function renderClusterTable(view: ClusterView, color: boolean): Promise<string> {
  const [{ default: Table }, { Chalk }] = await Promise.all([import('cli-table3'), import('chalk')]);
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const table = new Table({
    head: ['member', 'role', 'term', 'commit', 'applied', 'lag', 'connected', 'mode', 'digest', 'note'],
    style: { head: color ? ['bold'] : [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const m of view.members) {
    const paint = m.status === null || m.diverged ? chalk.red : m === view.leader ? chalk.green.bold : (s: string) => s;
    table.push([
      m.address,
      m.role,
      text(m.term),
      text(m.commit),
      text(m.applied),
      text(m.lag),
      m.connected === null ? '-' : m.connected ? 'yes' : 'no',
      m.mode === null ? '-' : m.status?.get('drained') === true ? `${m.mode} (drained)` : m.mode,
      m.digest ? m.digest.slice(0, 12) : '-',
      note(m),
    ].map((cell) => paint(cell)));
  }
  return table.toString() + '\n';
}

export interface ClusterHealth {
  exitCode: ExitCodeValue;
  problems: string[];
  line: string;
}

export function judgeClusterHealth(view: ClusterView, maxLag: number | null, barrier: ReadBarrier | null): ClusterHealth {
  const problems: string[] = [];
  let exitCode: ExitCodeValue = ExitCode.ok;
  const worse = (code: ExitCodeValue) => {
    const rank = [ExitCode.ok, ExitCode.degraded, ExitCode.diverged, ExitCode.noQuorum, ExitCode.unreachable] as ExitCodeValue[];
    if (rank.indexOf(code) > rank.indexOf(exitCode)) exitCode = code;
  };
  const reachable = view.members.filter((m) => m.status !== null);
  if (reachable.length === 0) {
    return { exitCode: ExitCode.unreachable, problems: ['no member answered'], line: 'unhealthy: no member answered' };
  }
  if (!view.leader) {
    problems.push('no member is the leader');
    worse(ExitCode.noQuorum);
  } else if (barrier && !barrier.ok) {
    problems.push(`the leader ${view.leader.address} could not confirm its quorum: ${barrier.reason ?? 'no reason given'}`);
    worse(ExitCode.noQuorum);
  } else if (view.leader.status?.get('has_quorum') !== true) {
    problems.push(`the leader ${view.leader.address} does not reach a majority`);
    worse(ExitCode.noQuorum);
  }
  for (const m of view.members) {
    if (m.status === null) {
      problems.push(`${m.address} ${reason(m)}`);
      worse(ExitCode.degraded);
    } else if (maxLag !== null && m.lag !== null && m.lag > BigInt(maxLag)) {
      problems.push(`${m.address} is ${m.lag} entries behind the leader (limit ${maxLag})`);
      worse(ExitCode.degraded);
    }
    if (m.diverged) {
      problems.push(`${m.address} diverged: applied_digest ${m.digest} at last_applied ${m.applied} differs from another member's`);
      worse(ExitCode.diverged);
    }
    if (m.status?.get('storage_fault')) {
      problems.push(`${m.address} has a storage fault: ${String(m.status.get('storage_fault'))}`);
      worse(ExitCode.degraded);
    }
  }
  const how = barrier?.ok ? `quorum confirmed by ${view.leader?.address} in term ${barrier.term ?? view.leader?.term}` : `leader ${view.leader?.address}`;
  const line = problems.length ? problems.map((p) => `unhealthy: ${p}`).join('\n') : `healthy: ${view.members.length} members, ${how}`;
  return { exitCode, problems, line };
}
