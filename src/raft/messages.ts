// Messages between members: plain objects with JSON/msgpack-friendly values only, so the runtime can encode them.
import type { ElectionMode, Entry, NodeId, Snapshot } from './types.js';

export type MessageType =
  | 'preVote' // thesis 9.6: ask whether we could win, without disturbing anyone's term
  | 'preVoteResp'
  | 'vote' // RequestVote
  | 'voteResp'
  | 'append' // AppendEntries carrying entries (possibly none, when probing)
  | 'appendResp'
  | 'heartbeat' // AppendEntries without entries; also confirms leadership for ReadIndex (thesis 6.4)
  | 'heartbeatResp'
  | 'snapshot' // InstallSnapshot
  | 'timeoutNow' // leadership transfer: campaign at once (thesis 3.10)
  | 'propose' // a request forwarded to the leader
  | 'proposeResp' // where the leader put it, or why it refused
  | 'readIndex' // a follower's read forwarded to the leader
  | 'readIndexResp';

/** What a forwarded or held request asks the leader to append. */
export type RequestKind = 'command' | 'config' | 'version';

/** Request ids are chosen by the shell; they come back in results and are never interpreted. */
export type RequestId = string | number;

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  /** Sender's term; for preVote and a granted preVoteResp, the term the candidate would campaign in. */
  term: number;
  /** Every message carries the sender's election mode and supported code version, so the leader knows them. */
  mode: ElectionMode;
  supportedCodeVersion: number;
  /** append: index and term of the entry before `entries`; (pre)vote: the candidate's last index and term;
   *  appendResp: last index acknowledged, or the rejected previous index; with `reject`, logTerm is the hint's term. */
  index?: number;
  logTerm?: number;
  entries?: Entry[];
  commit?: number;
  reject?: boolean;
  rejectHint?: number;
  snapshot?: Snapshot;
  /** vote: part of a leadership transfer, so leader stickiness must not block it. */
  forced?: boolean;
  /** heartbeat and heartbeatResp: the ReadIndex round being confirmed. */
  context?: number;
  /** propose and readIndex: the request, and the member to answer (the one the client talks to). */
  requestId?: RequestId;
  kind?: RequestKind;
  data?: Uint8Array;
  origin?: NodeId;
  /** proposeResp and readIndexResp refusals. */
  reason?: string;
}
