// -cluster's network half: from one member (and -patroni's partners), find every member and ask
// each for its status in parallel, each with its own deadline. A member that does not answer
// stays in the results with the reason.

import { parseAddress, type AdminClient } from '../client/index.js';
import { SyncobjError } from '../errors.js';
import { membersOf, type StatusReplies } from './cluster-view.js';

/** Rounds of "ask whoever the answers named": enough for a member known only to a member known only to the seed. */
const ROUNDS = 3;

export interface Discovery {
  replies: StatusReplies;
  /** The member -conn named, by the name the cluster knows it by. */
  seed: string;
}

export async function discoverMembers(client: AdminClient, seed: string, partners: readonly string[], timeoutMs: number): Promise<Discovery> {
  const replies: StatusReplies = new Map();
  const ask = async (address: string) => {
    const parsed = parseAddress(address);
    if (!parsed) return void replies.set(address, { status: null, error: `'${address}' is not HOST:PORT`, errorCode: null });
    try {
      replies.set(address, { status: await client.status(parsed, timeoutMs), error: null, errorCode: null });
    } catch (err) {
      replies.set(address, { status: null, error: (err as Error).message, errorCode: err instanceof SyncobjError ? err.exitCode : null });
    }
  };
  await Promise.all([seed, ...partners.filter((p) => p !== seed)].map(ask));
  // The seed may have been given by another name (a hostname); the cluster knows it by `self`.
  const seedReply = replies.get(seed)!;
  const self = seedReply.status?.get('self');
  const seedSelf = typeof self === 'string' ? self : seed;
  if (seedSelf !== seed) {
    replies.delete(seed);
    replies.set(seedSelf, seedReply);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const named = new Set<string>();
    for (const r of replies.values()) {
      if (!r.status) continue;
      for (const m of membersOf(r.status)) named.add(m);
      // A member that lost its configuration (restarted empty) still names the leader it follows.
      const leader = r.status.get('leader');
      if (typeof leader === 'string' && leader !== '') named.add(leader);
    }
    const missing = [...named].filter((m) => !replies.has(m));
    if (!missing.length) break;
    await Promise.all(missing.map(ask));
  }
  return { replies, seed: seedSelf };
}
