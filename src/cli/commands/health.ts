// -health for one member or, with -cluster, the whole cluster. Up is not healthy: against
// syncobj-node the leader confirms its quorum through the consensus path (a read barrier, on the
// native wire, so not with -wire pysyncobj); against PySyncObj the verdict comes from status.
// With -wait, ask again about once a second until healthy or the time is up (issue 14).

import { ExitCode, SyncobjError, UsageError, type ExitCodeValue } from '../../errors.js';
import { Deadline } from '../../client/deadline.js';
import type { AdminClient } from '../../client/index.js';
import { clusterHealthJson, clusterHealthLines } from '../cluster-report.js';
import { barrierAt, surveyCluster } from '../cluster-survey.js';
import { describeError, healthErrorJson } from '../error-report.js';
import { judgeHealth, verdictWord } from '../health.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { factsFromStatus, factsFromView, factsOfSilentMember, renderPrometheus, type MemberFacts } from '../prometheus.js';
import { isSyncobjNode } from '../pysyncobj-version.js';
import { toJson } from '../render.js';
import { formatSeconds } from '../../seconds.js';

/** Between the starts of two asks. */
const ASK_EVERY_MS = 1000;
/** The last ask of a wait still gets this long, even when less of the wait is left. */
const LAST_ASK_MIN_MS = 1000;

/** One look at the health: what -health prints, and what -wait shows while it waits. */
interface HealthRound {
  exitCode: ExitCodeValue;
  /** The verdict's lines, and its JSON object. */
  lines: string;
  json: Record<string, unknown>;
  facts: MemberFacts[];
  /** What is still missing, in a few words; null when healthy. */
  waitingFor: string | null;
  /** Set when the member asked gave no verdict at all (unreachable, wrong password, timed out). */
  error: unknown;
  /** Every member asked refused the password or did not speak the protocol: asking again will not help. */
  refused: boolean;
}

/** Refusals in a row after which -wait stops: one may be a member closing a handshake as it restarts. */
const REFUSALS_TO_GIVE_UP = 2;

export async function runHealth(inv: Invocation, maxLag: number | null, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  if (inv.wire !== 'pysyncobj') client.prepareNative();
  const started = performance.now();
  const { round, asks } = inv.waitMs === null ? { round: await askOnce(inv, maxLag, client), asks: 1 } : await waitUntilHealthy(inv, maxLag, client, io);
  const waitedMs = Math.round(performance.now() - started);
  const waited = inv.waitMs === null ? {} : { waited_ms: waitedMs };
  if (round.error !== null) {
    // Without -prometheus or -wait, the error is reported as it always was, by the top-level handler.
    if (!inv.prometheus && inv.waitMs === null) throw round.error;
    const r = describeError(round.error);
    io.err(r.line);
    if (inv.json) io.out(toJson({ ...healthErrorJson(r), ...waited }));
  }
  if (inv.prometheus) io.out(renderPrometheus(round.facts, round.exitCode));
  else if (round.error === null) io.out(inv.json ? toJson({ ...round.json, ...waited }) : round.lines);
  if (inv.waitMs !== null && io.isTTY && !inv.json && !inv.prometheus) io.out(`(waited ${formatSeconds(waitedMs)}, ${asks} ask${asks === 1 ? '' : 's'})\n`);
  return round.exitCode;
}

/** Asks until healthy or the wait is over; on a terminal one line, rewritten in place, says what is still missing. */
async function waitUntilHealthy(inv: Invocation, maxLag: number | null, client: AdminClient, io: Output): Promise<{ round: HealthRound; asks: number }> {
  const deadline = new Deadline(inv.waitMs!);
  const started = performance.now();
  let asks = 0;
  let refusals = 0;
  for (;;) {
    const askStarted = performance.now();
    // Each ask is bounded by -timeout and by what is left of the wait (the last one still gets a second).
    const timeoutMs = Math.min(inv.timeoutMs, Math.max(LAST_ASK_MIN_MS, deadline.remainingMs()));
    const round = await askOnce({ ...inv, timeoutMs }, maxLag, client);
    asks++;
    refusals = round.refused ? refusals + 1 : 0;
    if (round.exitCode === ExitCode.ok || deadline.remainingMs() === 0 || refusals >= REFUSALS_TO_GIVE_UP) {
      if (io.isTTY && asks > 1) io.out('\r\x1b[K');
      if (refusals >= REFUSALS_TO_GIVE_UP) io.err(`stopped waiting after ${asks} asks: the password or the protocol was refused each time, which waiting does not change\n`);
      return { round, asks };
    }
    if (io.isTTY) {
      const line = `waiting ${Math.round((performance.now() - started) / 1000)} s of ${formatSeconds(inv.waitMs!)} for ${round.waitingFor}`;
      io.out(`\r${fitTo(line, (io.columns || 80) - 1)}\x1b[K`);
    }
    await new Promise((r) => setTimeout(r, Math.min(Math.max(0, ASK_EVERY_MS - (performance.now() - askStarted)), deadline.remainingMs())));
  }
}

/** A progress line that wraps cannot be rewritten with a carriage return. */
function fitTo(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(1, width - 1)) + '…';
}

async function askOnce(inv: Invocation, maxLag: number | null, client: AdminClient): Promise<HealthRound> {
  if (inv.cluster) {
    const { view, verdict, barrier } = await surveyCluster(inv, client, { maxLag, barrier: true });
    return {
      exitCode: verdict.exitCode,
      lines: clusterHealthLines(view, verdict, barrier?.term ?? null),
      json: clusterHealthJson(view, verdict),
      facts: factsFromView(view),
      waitingFor: verdict.findings[0] ? verdict.findings[0].waitingFor + (verdict.findings.length > 1 ? ` and ${verdict.findings.length - 1} more` : '') : null,
      error: null,
      refused: view.members.length > 0 && view.members.every((m) => m.status === null && m.errorCode === ExitCode.authOrProtocol),
    };
  }
  const member = inv.address.text;
  let reply;
  try {
    reply = await client.status(inv.address, inv.timeoutMs);
  } catch (err) {
    if (!(err instanceof SyncobjError) || err instanceof UsageError) throw err;
    const reason = err.message.startsWith(member + ' ') ? err.message.slice(member.length + 1) : err.message;
    return { exitCode: err.exitCode, lines: '', json: {}, facts: [factsOfSilentMember(member)], waitingFor: `${member} to answer (${reason})`, error: err, refused: err.exitCode === ExitCode.authOrProtocol };
  }
  const verdict = judgeHealth(reply, maxLag);
  if (verdict.exitCode === ExitCode.ok && inv.wire !== 'pysyncobj' && isSyncobjNode(reply) && verdict.leader !== null) {
    const barrier = await barrierAt(client, verdict.leader, inv.timeoutMs);
    if (barrier && !barrier.ok) {
      verdict.exitCode = ExitCode.noQuorum;
      verdict.problems.push(`the leader ${verdict.leader} could not confirm its quorum: ${barrier.reason ?? 'no reason given'}`);
      verdict.waitingFor = `the leader ${verdict.leader} to confirm its quorum`;
      verdict.line = `${verdictWord(verdict.exitCode)}: ${verdict.problems.join('; ')}`;
    } else if (barrier) {
      verdict.line += `, quorum confirmed by the leader`;
    }
  }
  return {
    exitCode: verdict.exitCode,
    lines: verdict.line + '\n',
    json: { healthy: verdict.exitCode === ExitCode.ok, exit_code: verdict.exitCode, problems: verdict.problems, node: verdict.node, leader: verdict.leader, lag: verdict.lag },
    facts: [factsFromStatus(member, reply)],
    waitingFor: verdict.waitingFor,
    error: null,
    refused: false,
  };
}
