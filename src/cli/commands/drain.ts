// -drain / -undrain (issue 10), the operator's steps around a reboot: a drained member never leads
// (election mode voter, kept across its restart); a drained leader hands over first, and "done" means
// the new leader confirmed it, as for -transfer. syncobj-node only, over its native wire: a PySyncObj
// node has no election modes, so nothing is sent to it (an unknown command stops a 0.3.11 node's Raft).

import { CommandFailedError, ExitCode, type ExitCodeValue } from '../../errors.js';
import { Deadline } from '../../client/deadline.js';
import type { AdminClient, StatusMap } from '../../client/index.js';
import type { Invocation } from '../invocation.js';
import { confirmLeader, statusOf } from '../leader-confirmation.js';
import type { Output } from '../output.js';
import { isSyncobjNode } from '../pysyncobj-version.js';
import { toJson } from '../render.js';

const POLL_MS = 25;

export async function runDrain(inv: Invocation, drained: boolean, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  const command = drained ? 'drain' : 'undrain';
  const conn = inv.address.text;
  const deadline = new Deadline(inv.timeoutMs);
  client.prepareNative();
  const before = await client.status(inv.address, deadline.remainingMs());
  const fail = (text: string): ExitCodeValue => {
    io.out(inv.json ? toJson({ command, ok: false, reply: text }) : `${text}\n`);
    return ExitCode.commandFailed;
  };
  if (!isSyncobjNode(before)) {
    const version = typeof before.get('version') === 'string' ? `PySyncObj ${String(before.get('version'))}` : 'PySyncObj';
    return fail(
      `FAIL ${command.toUpperCase()} ${conn}: ${conn} runs ${version}, which has no election modes; nothing was sent, because ` +
        `such a node stops its Raft thread on an unknown command. Before a reboot, move leadership away (where the node supports it) and let the cluster elect.`,
    );
  }
  const oldLeader = before.get('leader') ?? null;
  const reply = await client.setDrained(inv.address, drained, deadline.remainingMs());
  if (!reply.ok) return fail(reply.text);
  if (!inv.json) io.out(`${reply.text}\n`);
  let newLeader: string | null = null;
  let confirmed: StatusMap | null = null;
  if (reply.handedOver) {
    newLeader = reply.leader ?? (await leaderSeenBy(client, conn, deadline));
    confirmed = await confirmLeader(client, newLeader, deadline);
  }
  if (inv.json) {
    io.out(toJson({ command, ok: true, reply: reply.text, election_mode: reply.electionMode, drained, old_leader: oldLeader, new_leader: newLeader ?? reply.leader, term: confirmed?.get('raft_term') ?? null }));
  } else if (io.isTTY) {
    const mode = `${conn} is in election mode ${reply.electionMode}`;
    if (confirmed) io.out(`${mode}; leadership moved from ${conn} to ${newLeader} (confirmed by ${newLeader}, term ${confirmed.get('raft_term')})\n`);
    else io.out(`${mode}; leadership did not move (leader: ${reply.leader ?? 'none known'})\n`);
  }
  return ExitCode.ok;
}

/** The member stepped down without naming its successor yet: ask it until it knows one. */
async function leaderSeenBy(client: AdminClient, member: string, deadline: Deadline): Promise<string> {
  while (deadline.remainingMs() > 0) {
    const leader = (await statusOf(client, member, deadline)).get('leader');
    if (typeof leader === 'string' && leader !== member) return leader;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, deadline.remainingMs())));
  }
  throw new CommandFailedError(`${member} is drained and handed leadership over, but learned of no new leader within ${deadline.seconds}`);
}
