// -add, answered as PySyncObj answers it (issue 10): SUCCESS ADD once the change that adds the member
// as a learner has committed, whether or not the member runs yet; the leader promotes it to voter once
// it has caught up. With -wait, keep asking until that promotion or the time is up (exit 5).

import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { Deadline } from '../../client/deadline.js';
import { isSuccessReply, type AdminClient, type NodeAddress } from '../../client/index.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { renderReplyText, toJson } from '../render.js';

const POLL_MS = 200;

type Standing = 'voter' | 'learner' | 'absent';

export async function runAdd(inv: Invocation, node: string, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  const reply = await client.execute(inv.address, { kind: 'add', node });
  const ok = isSuccessReply(reply);
  if (!ok || inv.waitMs === null) {
    io.out(inv.json ? toJson({ command: `add ${node}`, ok, reply }) : renderReplyText(reply));
    return ok ? ExitCode.ok : ExitCode.commandFailed;
  }
  if (!inv.json) io.out(renderReplyText(reply));
  const started = performance.now();
  const standing = await waitForVoter(client, inv.address, node, new Deadline(inv.waitMs), inv.timeoutMs);
  const waitedMs = Math.round(performance.now() - started);
  const seconds = +(inv.waitMs / 1000).toFixed(3);
  const exitCode = standing === 'voter' ? ExitCode.ok : standing === 'absent' ? ExitCode.commandFailed : ExitCode.timeout;
  const message =
    standing === 'voter'
      ? `${node} is a voter`
      : standing === 'absent'
        ? `${node} was added, but ${inv.address.text} no longer lists it as a member: it was removed before its promotion`
        : `${node} was added and is still catching up as a learner after ${seconds} s; the leader promotes it to voter once it has the log (is it running?)`;
  if (inv.json) io.out(toJson({ command: `add ${node}`, ok: true, reply, voter: standing === 'voter', waited_ms: waitedMs, message }));
  else if (exitCode !== ExitCode.ok) io.err(`syncobj-admin: ${message}\n`);
  else if (io.isTTY) io.out(`${message} (after ${waitedMs} ms)\n`);
  return exitCode;
}

/**
 * Asks the member given by -conn until it lists `node` as a voter or the wait ends. Not listed at all is
 * only final at the end: a follower may not have received the change yet when the leader answered.
 */
async function waitForVoter(client: AdminClient, address: NodeAddress, node: string, deadline: Deadline, timeoutMs: number): Promise<Standing> {
  let standing: Standing = 'learner';
  while (deadline.remainingMs() > 0) {
    try {
      const status = await client.status(address, Math.max(1, Math.min(timeoutMs, deadline.remainingMs())));
      // syncobj-node names a learner with its own key; PySyncObj has no learners, so a partner is a voter.
      if (status.has(`learner_node_status_server_${node}`)) standing = 'learner';
      else standing = status.has(`partner_node_status_server_${node}`) ? 'voter' : 'absent';
      if (standing === 'voter') return standing;
    } catch {
      // A member that does not answer now may answer at the next ask; the wait bounds it.
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, deadline.remainingMs())));
  }
  return standing;
}
