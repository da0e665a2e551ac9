// The admin client: one command to one node, over whichever wire the node speaks.
// `auto` uses PySyncObj's wire, which both PySyncObj and syncobj-node serve, so a plain command
// costs one connection and one key derivation; the native wire is used where only it can answer
// (a read barrier through the consensus path) or when asked for, and only then loaded.

import type { NodeAddress } from './address.js';
import { Deadline } from './deadline.js';
import type { AdminCommand, AdminReply, StatusMap } from './commands.js';
import { ProtocolError } from '../errors.js';
import { pyStr } from '../wire/pysyncobj/py-values.js';
import type { PasswordKeys } from './password-keys.js';
import { pysyncobjExchange } from './pysyncobj-transport.js';

export type WireChoice = 'auto' | 'native' | 'pysyncobj';

export interface AdminClientOptions {
  keys: PasswordKeys;
  timeoutMs: number;
  wire?: WireChoice;
}

/** What the leader says after confirming its quorum right now (a ReadIndex round). */
export interface ReadBarrier {
  ok: boolean;
  leader: string | null;
  term?: number;
  index?: number;
  reason?: string;
}

export class AdminClient {
  constructor(readonly options: AdminClientOptions) {}

  get wire(): WireChoice {
    return this.options.wire ?? 'auto';
  }

  /** Sends one command and returns the node's reply, whatever it says; throws only when there is none. */
  async execute(address: NodeAddress, command: AdminCommand, timeoutMs = this.options.timeoutMs): Promise<AdminReply> {
    const deadline = new Deadline(timeoutMs);
    if (this.wire === 'native') {
      const { nativeExchange, replyFromNative } = await import('./native-transport.js');
      const arg = command.kind === 'status' ? undefined : command.kind === 'set_version' ? command.version : command.node;
      const reply = await nativeExchange({ cmd: command.kind, ...(arg !== undefined ? { arg } : {}) }, address, this.options.keys.native, deadline);
      return replyFromNative(reply);
    }
    return pysyncobjExchange(command, { address, key: this.options.keys.pysyncobj, deadline });
  }

  /** 'status', whose reply must be a status dict: anything else is a protocol error, not an answer. */
  async status(address: NodeAddress, timeoutMs = this.options.timeoutMs): Promise<StatusMap> {
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
    this.options.keys.native.catch(() => undefined);
  }

  /** syncobj-node only: the member asks the leader to confirm its quorum now. */
  async readBarrier(address: NodeAddress, timeoutMs = this.options.timeoutMs): Promise<ReadBarrier> {
    const { nativeExchange } = await import('./native-transport.js');
    const reply = await nativeExchange({ cmd: 'read_barrier' }, address, this.options.keys.native, new Deadline(timeoutMs));
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
