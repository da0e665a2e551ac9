// The status reply: every key PySyncObj's getStatus has, in its order, plus syncobj-node's own keys.

import type { RaftStatus } from '../raft/index.js';
import type { NativeStatusValue } from '../wire/native/admin-messages.js';
import { PyNode, type PyKey, type PyValue } from '../wire/pysyncobj/index.js';

/** PySyncObj's VERSION slot: says what we are and which release's admin wire we answer like. */
export const NODE_VERSION = '0.3.11-compatible syncobj-node 0.1.0';

/** A node value: sent as PyNode on PySyncObj's wire so syncobj_admin prints it as that client would. */
export interface NodeValue {
  node: string;
}
export type StatusEntryValue = string | number | boolean | null | NodeValue;
export type StatusEntries = [string, StatusEntryValue][];

export interface StatusInput {
  raft: RaftStatus;
  /** The other members, as PySyncObj's otherNodes. */
  partners: string[];
  isConnected: (peer: string) => boolean;
  lastApplied: number;
  leaderCommit: number;
  uptimeSeconds: number;
  appliedDigest: string;
  storageFault: string | null;
  /** An operator drained the member (syncobj-admin -drain): it stays in voter mode until undrained. */
  drained: boolean;
}

const STATE: Record<string, number> = { follower: 0, learner: 0, preCandidate: 1, candidate: 1, leader: 2 };

export function buildStatus(input: StatusInput): StatusEntries {
  const { raft } = input;
  const out: StatusEntries = [];
  const node = (address: string | null): StatusEntryValue => (address === null ? null : { node: address });
  out.push(['version', NODE_VERSION], ['revision', 'deprecated'], ['self', node(raft.id)], ['state', STATE[raft.role] ?? 0]);
  out.push(['leader', node(raft.leader)], ['has_quorum', raft.hasQuorum], ['partner_nodes_count', input.partners.length]);
  for (const peer of input.partners) out.push([`partner_node_status_server_${peer}`, input.isConnected(peer) ? 2 : 0]);
  // Learners are partners too; these keys say which of them still catch up before their promotion to voter.
  for (const peer of raft.learners) if (peer !== raft.id) out.push([`learner_node_status_server_${peer}`, input.isConnected(peer) ? 2 : 0]);
  out.push(['readonly_nodes_count', 0], ['log_len', raft.logLength], ['last_applied', input.lastApplied]);
  out.push(['commit_idx', raft.commit], ['raft_term', raft.term]);
  const tracked = raft.role === 'leader' ? raft.peers.filter((p) => p.next !== null) : [];
  out.push(['next_node_idx_count', tracked.length]);
  for (const p of tracked) out.push([`next_node_idx_server_${p.id}`, p.next!]);
  out.push(['match_idx_count', tracked.length]);
  for (const p of tracked) out.push([`match_idx_server_${p.id}`, p.match ?? 0]);
  out.push(['leader_commit_idx', input.leaderCommit], ['uptime', input.uptimeSeconds]);
  out.push(['self_code_version', raft.supportedCodeVersion], ['enabled_code_version', raft.enabledCodeVersion]);
  out.push(['election_mode', raft.electionMode], ['drained', input.drained], ['voted_for', node(raft.vote)], ['applied_digest', input.appliedDigest]);
  out.push(['storage_fault', input.storageFault]);
  return out;
}

function isNode(v: StatusEntryValue): v is NodeValue {
  return typeof v === 'object' && v !== null;
}

/** On the native wire a node is its address text. */
export function statusToNative(entries: StatusEntries): Record<string, NativeStatusValue> {
  const out: Record<string, NativeStatusValue> = {};
  for (const [k, v] of entries) out[k] = isNode(v) ? v.node : v;
  return out;
}

export function statusToPy(entries: StatusEntries): Map<PyKey, PyValue> {
  const out = new Map<PyKey, PyValue>();
  for (const [k, v] of entries) out.set(k, isNode(v) ? new PyNode(v.node) : v);
  return out;
}
