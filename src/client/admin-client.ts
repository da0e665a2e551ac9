// The admin client: one command to one node, over whichever wire the node speaks.

import type { NodeAddress } from './address.js';
import { Deadline } from './deadline.js';
import type { AdminCommand, AdminReply } from './commands.js';
import type { PasswordKeys } from './password-keys.js';
import { pysyncobjExchange } from './pysyncobj-transport.js';

export interface AdminClientOptions {
  keys: PasswordKeys;
  timeoutMs: number;
}

export class AdminClient {
  constructor(readonly options: AdminClientOptions) {}

  /** Sends one command and returns the node's reply, whatever it says; throws only when there is none. */
  execute(address: NodeAddress, command: AdminCommand, timeoutMs = this.options.timeoutMs): Promise<AdminReply> {
    return pysyncobjExchange(command, { address, key: this.options.keys.pysyncobj, deadline: new Deadline(timeoutMs) });
  }
}
