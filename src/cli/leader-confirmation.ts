// "Done" means verified: after a hand-over (-transfer, or -drain of the leader) the new leader itself
// must say that it leads (PySyncObj PR 200 answered SUCCESS for transfers that were cancelled).

import { CommandFailedError, TimeoutError } from '../errors.js';
import type { Deadline } from '../client/deadline.js';
import { parseAddress, type AdminClient, type StatusMap } from '../client/index.js';

const POLL_MS = 25;

export async function statusOf(client: AdminClient, address: string, deadline: Deadline): Promise<StatusMap> {
  const parsed = parseAddress(address);
  if (!parsed) throw new CommandFailedError(`the cluster names a member '${address}' that is not HOST:PORT`);
  return client.status(parsed, deadline.remainingMs());
}

/** Polls the target until it says it leads; another member leading is a failure that names it. */
export async function confirmLeader(client: AdminClient, target: string, deadline: Deadline): Promise<StatusMap> {
  let last = 'it never answered';
  while (deadline.remainingMs() > 0) {
    try {
      const status = await statusOf(client, target, deadline);
      const leader = status.get('leader');
      if (leader === target && status.get('state') === 2) return status;
      if (leader !== null && leader !== undefined && leader !== target) {
        throw new CommandFailedError(`the node reported SUCCESS, but ${target} says ${leader} leads (term ${status.get('raft_term')}): the transfer did not take`);
      }
      last = `it reports no leader yet (term ${status.get('raft_term')})`;
    } catch (err) {
      if (err instanceof CommandFailedError) throw err;
      // A poll cut short by the deadline itself says only that it ran out of time: keep what the
      // target said before, which is what the operator needs ("no leader yet", another leader).
      if (deadline.remainingMs() > 0 || last === 'it never answered') last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, deadline.remainingMs())));
  }
  throw new TimeoutError(`the node reported SUCCESS, but ${target} did not confirm its leadership within ${deadline.seconds}: ${last}`, 'confirm');
}
