// Cluster membership and the validation of single-server changes (thesis 4.1, 4.2.1).
import { failed, type Failure } from './results.js';
import type { NodeId } from './types.js';

export interface Membership {
  voters: NodeId[];
  /** Members receiving the log without counting in quorums: new servers catching up (thesis 4.2.1). */
  learners: NodeId[];
}

/** A requested change. `add` joins as a learner, then the leader promotes it once caught up. */
export interface ConfChange {
  type: 'add' | 'remove';
  node: NodeId;
}

export type ConfChangeCheck = { ok: true; next: Membership } | Failure;

export function isVoter(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id);
}

export function isMember(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

export function membersOf(m: Membership): NodeId[] {
  return [...m.voters, ...m.learners];
}

/**
 * Validates one change against the current membership. Changing one server at a time keeps every
 * majority of the old configuration overlapping every majority of the new one (thesis 4.1).
 */
export function checkConfChange(current: Membership, change: ConfChange): ConfChangeCheck {
  const { node } = change;
  if (typeof node !== 'string' || node.length === 0) return failed('invalidChange', 'node id must be a non-empty string');
  if (change.type === 'add') {
    if (isVoter(current, node)) return failed('invalidChange', `${node} is already a voter`);
    if (current.learners.includes(node)) return failed('invalidChange', `${node} is already joining as a learner`);
    return { ok: true, next: { voters: [...current.voters], learners: [...current.learners, node] } };
  }
  if (!isMember(current, node)) return failed('invalidChange', `${node} is not a member`);
  if (isVoter(current, node) && current.voters.length === 1) {
    return failed('invalidChange', `${node} is the last voter; removing it would leave no quorum`);
  }
  return {
    ok: true,
    next: { voters: current.voters.filter((v) => v !== node), learners: current.learners.filter((v) => v !== node) },
  };
}

/** The membership with `node` moved from the learners to the voters. */
export function promote(current: Membership, node: NodeId): Membership {
  return { voters: [...current.voters, node], learners: current.learners.filter((v) => v !== node) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Config entries carry the whole membership, so the latest one in the log is the configuration. */
export function encodeMembership(m: Membership): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: m.voters, learners: m.learners }));
}

export function decodeMembership(data: Uint8Array): Membership {
  const parsed = JSON.parse(decoder.decode(data)) as Membership;
  return { voters: [...parsed.voters], learners: [...parsed.learners] };
}

export function encodeConfChange(c: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify({ type: c.type, node: c.node }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const parsed = JSON.parse(decoder.decode(data)) as ConfChange;
  return { type: parsed.type, node: parsed.node };
}
