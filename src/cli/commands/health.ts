// -health for one member or, with -cluster, the whole cluster. Up is not healthy: against
// syncobj-node the leader confirms its quorum through the consensus path (a read barrier, on the
// native wire, so not with -wire pysyncobj); against PySyncObj the verdict comes from status.

import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { AdminClient } from '../../client/index.js';
import { clusterHealthJson, clusterHealthLines } from '../cluster-report.js';
import { barrierAt, surveyCluster } from '../cluster-survey.js';
import { judgeHealth, verdictWord } from '../health.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { isSyncobjNode } from '../pysyncobj-version.js';
import { toJson } from '../render.js';

export async function runHealth(inv: Invocation, maxLag: number | null, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  const nativeAllowed = inv.wire !== 'pysyncobj';
  if (nativeAllowed) client.prepareNative();
  if (inv.cluster) {
    const { view, verdict, barrier } = await surveyCluster(inv, client, { maxLag, barrier: true });
    io.out(inv.json ? toJson(clusterHealthJson(view, verdict)) : clusterHealthLines(view, verdict, barrier?.term ?? null));
    return verdict.exitCode;
  }
  const reply = await client.status(inv.address);
  const verdict = judgeHealth(reply, maxLag);
  if (verdict.exitCode === ExitCode.ok && nativeAllowed && isSyncobjNode(reply) && verdict.leader !== null) {
    const barrier = await barrierAt(client, verdict.leader, inv.timeoutMs);
    if (barrier && !barrier.ok) {
      verdict.exitCode = ExitCode.noQuorum;
      verdict.problems.push(`the leader ${verdict.leader} could not confirm its quorum: ${barrier.reason ?? 'no reason given'}`);
      verdict.line = `${verdictWord(verdict.exitCode)}: ${verdict.problems.join('; ')}`;
    } else if (barrier) {
      verdict.line += `, quorum confirmed by the leader`;
    }
  }
  if (inv.json) {
    io.out(toJson({ healthy: verdict.exitCode === ExitCode.ok, exit_code: verdict.exitCode, problems: verdict.problems, node: verdict.node, leader: verdict.leader, lag: verdict.lag }));
  } else {
    io.out(verdict.line + '\n');
  }
  return verdict.exitCode;
}
