// One admin exchange over the native wire: connect, authenticated handshake, hello, one request,
// one reply. The handshake itself tells a wrong password from a missing one.

import { ProtocolError, SyncobjError, TimeoutError } from '../errors.js';
import type { AdminCommandName, NativeStatusValue } from '../wire/native/admin-messages.js';
import { parseNodeMessage } from '../wire/native/admin-messages.js';
import { clientHandshake } from '../wire/native/socket-handshake.js';
import type { NodeAddress } from './address.js';
import type { AdminReply, StatusMap } from './commands.js';
import type { Deadline } from './deadline.js';
import { openSocket } from './socket-errors.js';

export interface NativeRequest {
  cmd: AdminCommandName;
  arg?: string | number;
}

export type NativeReply = string | Record<string, NativeStatusValue>;

export async function nativeExchange(request: NativeRequest, address: NodeAddress, key: Promise<Uint8Array>, deadline: Deadline): Promise<NativeReply> {
  const addr = address.text;
  const socket = await openSocket(address, deadline.remainingMs(), deadline.seconds);
  const channel = await clientHandshake(socket, { passwordKey: await key, timeoutMs: Math.max(1, deadline.remainingMs()), deadlineText: deadline.seconds, peer: addr });
  try {
    channel.send({ t: 'hello', role: 'client' });
    channel.send({ t: 'admin', id: 1, cmd: request.cmd, ...(request.arg !== undefined ? { arg: request.arg } : {}) });
    return await new Promise<NativeReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`${addr} did not reply to '${request.cmd}' within ${deadline.seconds}`, 'reply')), deadline.remainingMs());
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      channel.on('message', (raw: unknown) => {
        const message = parseNodeMessage(raw);
        if (!message || message.t !== 'admin_reply' || message.id !== 1) {
          settle(() => reject(new ProtocolError(`${addr} sent a native message that is not the reply`)));
          return;
        }
        settle(() => resolve(message.reply));
      });
      channel.on('error', (err: Error) => settle(() => reject(err instanceof SyncobjError ? err : new ProtocolError(`${addr}: ${err.message}`))));
      channel.on('close', () => settle(() => reject(new ProtocolError(`${addr} closed the connection before replying to '${request.cmd}'`))));
    });
  } finally {
    channel.destroy();
  }
}

/** The native reply as the client API's reply, the same shape as from PySyncObj's wire. */
export function replyFromNative(reply: NativeReply): AdminReply {
  if (typeof reply === 'string') return reply;
  const status: StatusMap = new Map();
  for (const [k, v] of Object.entries(reply)) status.set(k, v);
  return status;
}
