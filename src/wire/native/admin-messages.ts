// The messages that travel inside a native channel once the handshake is done: peer traffic,
// admin commands and key-value requests. Plain msgpack-friendly objects, each tagged by `t`.

/** A status value, as on PySyncObj's wire (node objects as their address). */
export type NativeStatusValue = string | number | boolean | null;

/** The first message of a channel says what the connection is for. */
export type HelloMessage = { t: 'hello'; role: 'peer'; from: string } | { t: 'hello'; role: 'client' };

/** Raft traffic between members; `m` is a src/raft Message. */
export interface PeerMessage {
  t: 'raft';
  m: unknown;
}

export type AdminCommandName = 'status' | 'add' | 'remove' | 'set_version' | 'transfer' | 'read_barrier' | 'drain' | 'undrain';

export interface AdminRequest {
  t: 'admin';
  id: number;
  cmd: AdminCommandName;
  /** The address for add/remove/transfer ('auto' allowed for transfer), the version for set_version. */
  arg?: string | number;
}

/**
 * `reply` is what PySyncObj would answer: a status object, or a text such as 'SUCCESS ADD a:1'.
 * read_barrier answers `{ ok, leader, term, index }` once the leader confirmed its quorum (ReadIndex),
 * or `{ ok: false, leader, reason }`. drain and undrain (native only, never forwarded: they change the
 * member that receives them) answer `{ ok, text, election_mode, leader, handed_over }`, where `text` is
 * 'SUCCESS DRAIN <self>' or 'FAIL DRAIN <self>: <reason>' (UNDRAIN likewise) and `leader` is who leads.
 */
export interface AdminReplyMessage {
  t: 'admin_reply';
  id: number;
  reply: string | Record<string, NativeStatusValue>;
}

export interface KvRequest {
  t: 'kv';
  id: number;
  op: 'set' | 'get' | 'del';
  key: string;
  value?: string;
  /**
   * Client session (Raft thesis 6.3): a write carries its client's `session` id and a sequence
   * number `seq`, so a re-send after an unclear outcome is applied once; `floor` says every
   * sequence number below it has been answered and may be forgotten.
   */
  session?: string;
  seq?: number;
  floor?: number;
}

/** Not the leader: `ok` false with `leader` (null when unknown), and the client retries there. */
export interface KvReply {
  t: 'kv_reply';
  id: number;
  ok: boolean;
  value?: string | null;
  leader?: string | null;
  error?: string;
}

export type ClientMessage = HelloMessage | AdminRequest | KvRequest;
export type NodeMessage = AdminReplyMessage | KvReply;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

const ADMIN_COMMANDS: ReadonlySet<string> = new Set<AdminCommandName>(['status', 'add', 'remove', 'set_version', 'transfer', 'read_barrier', 'drain', 'undrain']);

/** Checks the shape of what a client sent; null for anything malformed (the node then closes). */
export function parseClientMessage(x: unknown): ClientMessage | null {
  if (!isObject(x)) return null;
  switch (x['t']) {
    case 'hello':
      if (x['role'] === 'client') return { t: 'hello', role: 'client' };
      return x['role'] === 'peer' && typeof x['from'] === 'string' ? { t: 'hello', role: 'peer', from: x['from'] } : null;
    case 'admin': {
      const { id, cmd, arg } = x;
      if (typeof id !== 'number' || typeof cmd !== 'string' || !ADMIN_COMMANDS.has(cmd)) return null;
      if (arg !== undefined && typeof arg !== 'string' && typeof arg !== 'number') return null;
      return { t: 'admin', id, cmd: cmd as AdminCommandName, ...(arg !== undefined ? { arg } : {}) };
    }
    case 'kv': {
      const { id, op, key, value } = x;
      if (typeof id !== 'number' || (op !== 'set' && op !== 'get' && op !== 'del') || typeof key !== 'string') return null;
      if (value !== undefined && typeof value !== 'string') return null;
      const { session, seq, floor } = x;
      if (session !== undefined && (typeof session !== 'string' || !Number.isSafeInteger(seq) || (floor !== undefined && !Number.isSafeInteger(floor)))) return null;
      return {
        t: 'kv', id, op, key,
        ...(value !== undefined ? { value } : {}),
        ...(typeof session === 'string' ? { session, seq: seq as number, ...(floor !== undefined ? { floor: floor as number } : {}) } : {}),
      };
    }
    default:
      return null;
  }
}

/** Checks the shape of what a node sent to a client. */
export function parseNodeMessage(x: unknown): NodeMessage | null {
  if (!isObject(x) || typeof x['id'] !== 'number') return null;
  if (x['t'] === 'admin_reply' && (typeof x['reply'] === 'string' || isObject(x['reply']))) return x as unknown as AdminReplyMessage;
  if (x['t'] === 'kv_reply' && typeof x['ok'] === 'boolean') return x as unknown as KvReply;
  return null;
}
