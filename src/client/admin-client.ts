// The admin client: one command to one node, over whichever wire the node speaks.
// `auto` uses PySyncObj's wire, which both PySyncObj and syncobj-node serve, so a plain command
// costs one connection and one key derivation; the native wire is used where only it can answer
// (a read barrier through the consensus path) or when asked for, and only then loaded.

import { parseAddress, type NodeAddress } from './address.js';
import { Deadline } from './deadline.js';
import type { AdminCommand, AdminReply, StatusMap } from './commands.js';
import { ProtocolError, UsageError } from '../errors.js';
import { pyStr } from '../wire/pysyncobj/py-values.js';
import { PasswordKeys } from './password-keys.js';
import { pysyncobjExchange } from './pysyncobj-transport.js';

export type WireChoice = 'auto' | 'native' | 'pysyncobj';

export interface AdminClientOptions {
  /** The cluster's password; null or absent for a cluster without one. */
  password?: string | null;
  /** Keys already being derived from the password (the CLI starts them first); replaces `password`. */
  keys?: PasswordKeys;
  /** Per request: connect, handshake and reply (default 10000). */
  timeoutMs?: number;
  /** Default 'auto': PySyncObj's wire, which PySyncObj and syncobj-node both serve. */
  wire?: WireChoice;
}

/** A member: its `HOST:PORT` text, or an address parseAddress made. */
export type MemberAddress = NodeAddress | string;

const DEFAULT_TIMEOUT_MS = 10_000;

/** What the leader says after confirming its quorum right now (a ReadIndex round). */
export interface ReadBarrier {
  ok: boolean;
  leader: string | null;
  term?: number;
  index?: number;
  reason?: string;
}

/** What a syncobj-node says after a drain or undrain (native wire only). */
export interface DrainReply {
  ok: boolean;
  /** 'SUCCESS DRAIN <member>' or 'FAIL DRAIN <member>: <reason>' (UNDRAIN likewise). */
  text: string;
  electionMode: string | null;
  /** Who leads, as the member knows it; after a hand-over, the member that took over. */
  leader: string | null;
  /** The member led and handed leadership over before answering. */
  handedOver: boolean;
}

/**
 * One request to one member. Failures are the CLI's typed errors (ConnectError, AuthError,
 * ProtocolError, TimeoutError, UsageError), each with the exit code syncobj-admin reports for it.
 */
export class AdminClient {
  readonly keys: PasswordKeys;
  readonly timeoutMs: number;
  readonly wire: WireChoice;

  constructor(options: AdminClientOptions = {}) {
    this.keys = options.keys ?? new PasswordKeys(options.password ?? null);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.wire = options.wire ?? 'auto';
    if (!(this.timeoutMs > 0)) throw new UsageError(`AdminClient: timeoutMs must be above 0, not ${this.timeoutMs}`);
  }

  /** Sends one command and returns the node's reply, whatever it says; throws only when there is none. */
  async execute(member: MemberAddress, command: AdminCommand, timeoutMs = this.timeoutMs): Promise<AdminReply> {
    const address = toAddress(member);
    const deadline = new Deadline(timeoutMs);
    if (this.wire === 'native') {
      const { adminRequest, replyFromNative } = await import('./native-connection.js');
      const arg = command.kind === 'status' ? undefined : command.kind === 'set_version' ? command.version : command.node;
      return replyFromNative(await adminRequest(address, this.keys.native, command.kind, arg, deadline));
    }
    return pysyncobjExchange(command, { address, key: this.keys.pysyncobj, deadline });
  }

  /** 'status', whose reply must be a status dict: anything else is a protocol error, not an answer. */
  async status(member: MemberAddress, timeoutMs = this.timeoutMs): Promise<StatusMap> {
    const address = toAddress(member);
    const reply = await this.execute(address, { kind: 'status' }, timeoutMs);
    if (!(reply instanceof Map)) throw new ProtocolError(`${address.text} answered 'status' with ${pyStr(reply)}, not a status dict`);
    return reply;
  }

  /**
   * Starts deriving the native key in the thread pool, for a command that may speak the native
   * wire after a first reply. Its libraries are not preloaded: that would hold up the main
   * thread for nothing when the node turns out to be PySyncObj.
   */
  prepareNative(): void {
    this.keys.native.catch(() => undefined);
  }

  /**
   * syncobj-node only: drains the member (election mode voter, kept across its restart; a leader hands
   * over first) or undrains it. Never send it to PySyncObj: an unknown command stops a 0.3.11 node's Raft.
   */
  async setDrained(member: MemberAddress, drained: boolean, timeoutMs = this.timeoutMs): Promise<DrainReply> {
    const address = toAddress(member);
    const { adminRequest } = await import('./native-connection.js');
    const cmd = drained ? 'drain' : 'undrain';
    const reply = await adminRequest(address, this.keys.native, cmd, undefined, new Deadline(timeoutMs));
    if (typeof reply === 'string' || typeof reply['text'] !== 'string') throw new ProtocolError(`${address.text} answered '${cmd}' with something that is not a drain reply`);
    return {
      ok: reply['ok'] === true,
      text: reply['text'],
      electionMode: typeof reply['election_mode'] === 'string' ? reply['election_mode'] : null,
      leader: typeof reply['leader'] === 'string' ? reply['leader'] : null,
      handedOver: reply['handed_over'] === true,
    };
  }

  /** syncobj-node only: the member asks the leader to confirm its quorum now. */
  async readBarrier(member: MemberAddress, timeoutMs = this.timeoutMs): Promise<ReadBarrier> {
    const { adminRequest } = await import('./native-connection.js');
    const reply = await adminRequest(toAddress(member), this.keys.native, 'read_barrier', undefined, new Deadline(timeoutMs));
    if (typeof reply === 'string') return { ok: false, leader: null, reason: reply };
    const leader = typeof reply['leader'] === 'string' ? reply['leader'] : null;
    return {
      ok: reply['ok'] === true,
      leader,
      ...(typeof reply['term'] === 'number' ? { term: reply['term'] } : {}),
      ...(typeof reply['index'] === 'number' ? { index: reply['index'] } : {}),
      ...(typeof reply['reason'] === 'string' ? { reason: reply['reason'] } : {}),
    };
  }
}

function toAddress(member: MemberAddress): NodeAddress {
  if (typeof member !== 'string') return member;
  const address = parseAddress(member);
  if (!address) throw new UsageError(`'${member}' is not a member address (expected HOST:PORT, port 1-65535)`);
  return address;
}
