// -cluster's one survey, shared by -status and -health: ask the members, build the view, judge it.
// Against syncobj-node the leader also confirms its quorum through the consensus path (a read
// barrier on the native wire), unless -wire pysyncobj forbids any other wire.

import { parseAddress, type AdminClient, type ReadBarrier } from '../client/index.js';
import { discoverMembers } from './cluster-discovery.js';
import { buildView, type ClusterView } from './cluster-view.js';
import { judgeCluster, type ClusterVerdict } from './cluster-verdict.js';
import type { Invocation } from './invocation.js';

export interface ClusterSurvey {
  view: ClusterView;
  verdict: ClusterVerdict;
  /** The barrier that confirmed the leader's quorum, if one was asked for and succeeded. */
  barrier: ReadBarrier | null;
}

/** The leader's answer to a read barrier; a failure to get one is an answer too (no quorum confirmed). */
export async function barrierAt(client: AdminClient, leader: string, timeoutMs: number): Promise<ReadBarrier | null> {
  const address = parseAddress(leader);
  if (!address) return null;
  try {
    return await client.readBarrier(address, timeoutMs);
  } catch (err) {
    return { ok: false, leader, reason: (err as Error).message };
  }
}

export async function surveyCluster(inv: Invocation, client: AdminClient, options: { maxLag: number | null; barrier: boolean }): Promise<ClusterSurvey> {
  const { replies, seed } = await discoverMembers(client, inv.address.text, inv.seeds, inv.timeoutMs);
  const view = buildView(replies, seed);
  const wantBarrier = options.barrier && inv.wire !== 'pysyncobj' && view.syncobjNodes && view.leader !== null;
  const barrier = wantBarrier ? await barrierAt(client, view.leader!.address, inv.timeoutMs) : null;
  return { view, verdict: judgeCluster(view, options.maxLag, barrier), barrier: barrier?.ok ? barrier : null };
}
