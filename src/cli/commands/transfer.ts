// -transfer: ask for the move, then believe only the target. "Done" means the target itself
// reports that it leads (PySyncObj PR 200 answered SUCCESS for transfers that were cancelled).

import { CommandFailedError, ExitCode, type ExitCodeValue } from '../../errors.js';
import { Deadline } from '../../client/deadline.js';
import { isSuccessReply, type AdminClient, type StatusMap } from '../../client/index.js';
import type { Invocation } from '../invocation.js';
import { confirmLeader, statusOf } from '../leader-confirmation.js';
import type { Output } from '../output.js';
import { isSyncobjNode, versionWithoutTransfer } from '../pysyncobj-version.js';
import { renderReplyText, toJson } from '../render.js';

export async function runTransfer(inv: Invocation, requested: string, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  let target = requested;
  const deadline = new Deadline(inv.timeoutMs);
  const started = performance.now();
  const conn = inv.address.text;
  const before = await statusOf(client, conn, deadline);
  const lacking = versionWithoutTransfer(before);
  if (lacking) {
    throw new CommandFailedError(
      `${conn} runs PySyncObj ${lacking}, which has no leadership transfer; nothing was sent, because such a node ` +
        `stops its Raft thread on an unknown command. Restart the leader instead and let the cluster elect.`,
    );
  }
  const oldLeader = before.get('leader') ?? null;
  if (target === 'auto' && !isSyncobjNode(before)) target = await pickTarget(client, before, deadline);
  if (io.isTTY && !inv.json) io.err(`transferring leadership from ${oldLeader ?? 'no leader'} to ${target}...\n`);
  const reply = await client.execute(inv.address, { kind: 'transfer', node: target }, deadline.remainingMs());
  // syncobj-node picks the target of 'auto' itself and names it in its reply.
  if (target === 'auto' && typeof reply === 'string') target = reply.replace(/^SUCCESS TRANSFER /, '');
  if (!isSuccessReply(reply)) {
    if (inv.json) io.out(toJson({ command: `transfer ${target}`, ok: false, reply, old_leader: oldLeader }));
    else io.out(renderReplyText(reply));
    return ExitCode.commandFailed;
  }
  // The node's SUCCESS is printed only once the target confirmed it: a script reading stdout must
  // not see success for a transfer that did not take (the PR 200 race).
  const confirmed = await confirmLeader(client, target, deadline);
  if (!inv.json) io.out(renderReplyText(reply));
  const ms = Math.round(performance.now() - started);
  if (inv.json) {
    io.out(toJson({ command: `transfer ${target}`, ok: true, reply, old_leader: oldLeader, new_leader: target, term: confirmed.get('raft_term'), ms }));
  } else if (io.isTTY) {
    io.out(`old leader: ${oldLeader}\nnew leader: ${target} (confirmed by ${target}, term ${confirmed.get('raft_term')})\ntook ${ms} ms\n`);
  }
  return ExitCode.ok;
}

/**
 * 'auto' for a node that cannot pick: the connected partner whose log the leader has matched
 * furthest, so the new leader needs the least catching up.
 */
async function pickTarget(client: AdminClient, status: StatusMap, deadline: Deadline): Promise<string> {
  const leader = status.get('leader');
  if (typeof leader !== 'string') throw new CommandFailedError(`${String(status.get('self'))} sees no leader, so there is no leadership to transfer`);
  const leaderStatus = leader === status.get('self') ? status : await statusOf(client, leader, deadline);
  let best: { node: string; match: bigint } | null = null;
  for (const [key, value] of leaderStatus) {
    const m = /^match_idx_server_(.+)$/.exec(key);
    if (!m || (typeof value !== 'number' && typeof value !== 'bigint')) continue;
    if (leaderStatus.get(`partner_node_status_server_${m[1]}`) !== 2) continue;
    if (!best || BigInt(value) > best.match) best = { node: m[1]!, match: BigInt(value) };
  }
  if (!best) throw new CommandFailedError(`the leader ${leader} is connected to no member that could take over`);
  return best.node;
}
