// -health for one member or, with -cluster, the whole cluster. Up is not healthy: against
// syncobj-node the leader confirms its quorum through the consensus path (a read barrier);
// against PySyncObj the verdict comes from status.

import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { parseAddress, type AdminClient, type ReadBarrier } from '../../client/index.js';
import { gatherCluster } from '../cluster-view.js';
import { judgeClusterHealth, memberJson } from '../cluster-report.js';
import { judgeHealth } from '../health.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { isSyncobjNode } from '../pysyncobj-version.js';
import { toJson } from '../render.js';

async function barrierAt(client: AdminClient, leader: string | null, timeoutMs: number): Promise<ReadBarrier | null> {
  const address = leader ? parseAddress(leader) : null;
  if (!address) return null;
  try {
    return await client.readBarrier(address, timeoutMs);
  } catch (err) {
    return { ok: false, leader, reason: (err as Error).message };
  }
}

export async function runHealth(inv: Invocation, maxLag: number | null, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  client.prepareNative();
  if (inv.cluster) {
    const view = await gatherCluster(client, inv.address.text, inv.timeoutMs);
    const barrier = view.syncobjNodes && view.leader ? await barrierAt(client, view.leader.address, inv.timeoutMs) : null;
    const verdict = judgeClusterHealth(view, maxLag, barrier);
    if (inv.json) {
      io.out(toJson({ healthy: verdict.exitCode === ExitCode.ok, exit_code: verdict.exitCode, problems: verdict.problems, leader: view.leader?.address ?? null, members: view.members.map(memberJson) }));
    } else {
      io.out(verdict.line + '\n');
    }
    return verdict.exitCode;
  }
  const reply = await client.status(inv.address);
  const verdict = judgeHealth(reply, maxLag);
  if (verdict.exitCode === ExitCode.ok && isSyncobjNode(reply)) {
    const barrier = await barrierAt(client, verdict.leader, inv.timeoutMs);
    if (barrier && !barrier.ok) {
      verdict.exitCode = ExitCode.noQuorum;
      verdict.problems.push(`the leader ${verdict.leader} could not confirm its quorum: ${barrier.reason ?? 'no reason given'}`);
      verdict.line = `unhealthy: ${verdict.problems.join('; ')}`;
    } else if (barrier) {
      verdict.line += `, quorum confirmed by the leader`;
    }
  }
  if (inv.json) {
    io.out(toJson({ healthy: verdict.exitCode === ExitCode.ok, exit_code: verdict.exitCode, node: verdict.node, leader: verdict.leader, lag: verdict.lag, problems: verdict.problems }));
  } else {
    io.out(verdict.line + '\n');
  }
  return verdict.exitCode;
}
