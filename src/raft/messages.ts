// Messages between members: a union keyed on `type`, plain msgpack-friendly values, and the check a peer's message passes once, at the boundary.
import { FAILURE_CODES, type FailureCode } from './results.js';
import type { ElectionMode, Entry, NodeId, Snapshot } from './types.js';

/** What a forwarded or held request asks the leader to do: append an entry, or (transfer) hand leadership over. */
export type RequestKind = 'command' | 'config' | 'version' | 'transfer';

/** Request ids are chosen by the shell; they come back in results and are never interpreted. */
export type RequestId = string | number;

/**
 * The message bodies, each with its addressee. Field names are the wire's: they are unchanged from the
 * flat message earlier versions sent, so what old and new members exchange still decodes.
 */
export type MessageBody =
  /** preVote (thesis 9.6: could we win, without disturbing anyone's term) and vote (RequestVote): the candidate's last index and term. */
  | { type: 'preVote' | 'vote'; to: NodeId; index: number; logTerm: number; /** vote: part of a transfer, so leader stickiness must not block it. */ forced?: boolean }
  | { type: 'preVoteResp' | 'voteResp'; to: NodeId; reject: boolean }
  /** AppendEntries: `index`/`logTerm` name the entry before `entries` (none when probing). */
  | { type: 'append'; to: NodeId; index: number; logTerm: number; entries: Entry[]; commit: number }
  /** The last index acknowledged; with `reject`, the rejected previous index, a hint where the logs may match and the hint's term. */
  | { type: 'appendResp'; to: NodeId; index: number; reject?: boolean; rejectHint?: number; logTerm?: number }
  /** AppendEntries without entries; `context` is the ReadIndex round it also confirms (thesis 6.4). */
  | { type: 'heartbeat'; to: NodeId; commit: number; context?: number }
  | { type: 'heartbeatResp'; to: NodeId; context?: number }
  /** InstallSnapshot (thesis 5.1). */
  | { type: 'snapshot'; to: NodeId; snapshot: Snapshot }
  /** Leadership transfer: campaign at once (thesis 3.10). */
  | { type: 'timeoutNow'; to: NodeId }
  /** A request forwarded to the leader; `origin` is the member the client talks to, which gets the answer. */
  | { type: 'propose'; to: NodeId; requestId: RequestId; kind: RequestKind; data: Uint8Array; origin: NodeId }
  /** The leader appended the request at (index, logTerm); the origin learns the outcome when that commits. */
  | { type: 'proposeResp'; to: NodeId; requestId: RequestId; index: number; logTerm: number }
  /** The leader keeps the request (a transfer runs, or it has not committed in its term yet): the answer comes later, maybe from the next leader. */
  | { type: 'proposeResp'; to: NodeId; requestId: RequestId; held: true }
  /** A forwarded transfer ended with `leader` leading. */
  | { type: 'proposeResp'; to: NodeId; requestId: RequestId; leader: NodeId }
  /** Refused or failed; `leader` is who leads now, for transfers. */
  | { type: 'proposeResp'; to: NodeId; requestId: RequestId; reject: true; code: FailureCode; reason: string; leader?: NodeId | null }
  /** A follower's read forwarded to the leader. */
  | { type: 'readIndex'; to: NodeId; requestId: RequestId }
  | { type: 'readIndexResp'; to: NodeId; requestId: RequestId; index: number }
  | { type: 'readIndexResp'; to: NodeId; requestId: RequestId; reject: true; code: FailureCode; reason: string };

/** Every message is stamped with its sender, the sender's term, election mode and supported code version, so the leader knows them for every member. */
export interface MessageStamp {
  from: NodeId;
  /** Sender's term; for preVote and a granted preVoteResp, the term the candidate would campaign in. */
  term: number;
  mode: ElectionMode;
  supportedCodeVersion: number;
}

export type Message = MessageBody & MessageStamp;
export type MessageType = Message['type'];

/** A body as the core builds it; `send` stamps the rest (the term only when the body does not name one). */
export type OutgoingMessage = MessageBody & { term?: number };

// ---- the boundary check -------------------------------------------------------------------------

type Fields = Record<string, unknown>;

const MODES: ReadonlySet<unknown> = new Set<ElectionMode>(['candidate', 'voter', 'manual']);
const ENTRY_KINDS: ReadonlySet<unknown> = new Set(['noop', 'command', 'config', 'version']);
const REQUEST_KINDS: ReadonlySet<unknown> = new Set<RequestKind>(['command', 'config', 'version', 'transfer']);
const CODES: ReadonlySet<unknown> = new Set(FAILURE_CODES);

/** Each a whole number >= 0, so a peer cannot push a term of Infinity or NaN. */
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const isText = (v: unknown): boolean => typeof v === 'string';
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isRequestId = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isIdList = (v: unknown): boolean => Array.isArray(v) && v.every(isText);

function isEntry(e: unknown): boolean {
  return isObject(e) && isCount(e['index']) && isCount(e['term']) && ENTRY_KINDS.has(e['kind']) && e['data'] instanceof Uint8Array;
}

function isSnapshot(s: unknown): boolean {
  if (!isObject(s) || !isObject(s['meta']) || !(s['data'] instanceof Uint8Array)) return false;
  const meta = s['meta'];
  return isCount(meta['index']) && isCount(meta['term']) && isIdList(meta['voters']) && isIdList(meta['learners']) && isCount(meta['codeVersion']);
}

/** A refusal. Members before failure codes sent none: theirs reads as unknownOutcome, which claims nothing about the request. */
function isFailure(m: Fields): boolean {
  if (m['reject'] !== true || !isText(m['reason'])) return false;
  if (m['code'] === undefined) m['code'] = 'unknownOutcome';
  return CODES.has(m['code']);
}

/** What each type must carry beyond the stamp, checked field by field. */
const BODY_CHECKS: Record<MessageType, (m: Fields) => boolean> = {
  preVote: (m) => isCount(m['index']) && isCount(m['logTerm']) && optional(m['forced'], isBool),
  vote: (m) => isCount(m['index']) && isCount(m['logTerm']) && optional(m['forced'], isBool),
  preVoteResp: (m) => isBool(m['reject']),
  voteResp: (m) => isBool(m['reject']),
  append: (m) => isCount(m['index']) && isCount(m['logTerm']) && isCount(m['commit']) && Array.isArray(m['entries']) && m['entries'].every(isEntry),
  appendResp: (m) =>
    isCount(m['index']) && optional(m['reject'], isBool) && optional(m['rejectHint'], isCount) && optional(m['logTerm'], isCount),
  heartbeat: (m) => isCount(m['commit']) && optional(m['context'], isCount),
  heartbeatResp: (m) => optional(m['context'], isCount),
  snapshot: (m) => isSnapshot(m['snapshot']),
  timeoutNow: () => true,
  propose: (m) => isRequestId(m['requestId']) && REQUEST_KINDS.has(m['kind']) && m['data'] instanceof Uint8Array && isText(m['origin']),
  proposeResp: (m) =>
    isRequestId(m['requestId']) &&
    ((isCount(m['index']) && isCount(m['logTerm'])) ||
      m['held'] === true ||
      (isFailure(m) && optional(m['leader'], (v) => v === null || isText(v))) ||
      (m['reject'] === undefined && isText(m['leader']))),
  readIndex: (m) => isRequestId(m['requestId']),
  readIndexResp: (m) => isRequestId(m['requestId']) && (isCount(m['index']) || isFailure(m)),
};

/**
 * The message, or null when it is not one: an unknown type, a field its type needs missing or of the
 * wrong type (a `propose` without a request id, a count that is not a whole number >= 0), or a sender
 * other than `peer`, the member that said hello on this connection. Checked once, here, so the core
 * reads every field its type promises without defaults.
 */
export function parseRaftMessage(x: unknown, peer?: NodeId): Message | null {
  if (!isObject(x)) return null;
  const type = x['type'];
  if (typeof type !== 'string' || !Object.hasOwn(BODY_CHECKS, type)) return null;
  if (!isText(x['from']) || !isText(x['to'])) return null;
  if (peer !== undefined && x['from'] !== peer) return null;
  if (!isCount(x['term']) || !isCount(x['supportedCodeVersion']) || !MODES.has(x['mode'])) return null;
  return BODY_CHECKS[type as MessageType](x) ? (x as unknown as Message) : null;
}
