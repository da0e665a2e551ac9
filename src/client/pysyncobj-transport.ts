// One admin exchange over PySyncObj's wire: connect, handshake, one request, one reply.
// PySyncObj closes silently on any decode failure, so the phase in which the node hangs up
// is what tells a wrong password from a missing one.

import { connect, type Socket } from 'node:net';
import { AuthError, ConnectError, ProtocolError, SyncobjError, TimeoutError } from '../errors.js';
import { FrameDecoder } from '../wire/pysyncobj/frame.js';
import { MessageCodec } from '../wire/pysyncobj/message-codec.js';
import { PysyncobjClientSession } from '../wire/pysyncobj/client-session.js';
import type { NodeAddress } from './address.js';
import { commandToPy, describeCommand, replyFromPy, type AdminCommand, type AdminReply } from './commands.js';
import type { Deadline } from './deadline.js';
import { connectError } from './socket-errors.js';

export interface ExchangeOptions {
  address: NodeAddress;
  /** The derived key, or null for a cluster without a password; may still be deriving. */
  key: Promise<Uint8Array | null>;
  deadline: Deadline;
}

type Phase = 'connect' | 'handshake' | 'reply';

export function pysyncobjExchange(command: AdminCommand, options: ExchangeOptions): Promise<AdminReply> {
  const { address, deadline } = options;
  const addr = address.text;
  return new Promise<AdminReply>((resolve, reject) => {
    let phase: Phase = 'connect';
    let session: PysyncobjClientSession | null = null;
    let settled = false;
    const decoder = new FrameDecoder();
    const socket: Socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);

    const finish = (err: SyncobjError | null, reply?: AdminReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };

    const timer = setTimeout(() => finish(timeoutError(addr, phase, command, deadline)), deadline.remainingMs());

    socket.once('connect', () => {
      options.key.then(
        (key) => {
          if (settled) return;
          session = new PysyncobjClientSession(new MessageCodec(key), commandToPy(command));
          phase = session.phase === 'handshake' ? 'handshake' : 'reply';
          socket.write(session.start());
        },
        (err: unknown) => finish(err instanceof SyncobjError ? err : new ProtocolError(`cannot derive the key: ${(err as Error).message}`)),
      );
    });

    socket.on('data', (chunk: Buffer) => {
      if (!session) return finish(new ProtocolError(`${addr} sent data before the request`));
      try {
        for (const body of decoder.push(chunk)) {
          const step = session.receive(body);
          if ('reply' in step) return finish(null, replyFromPy(step.reply));
          socket.write(step.send);
          phase = 'reply';
        }
      } catch (err) {
        finish(err instanceof ProtocolError ? new ProtocolError(`${addr}: ${err.message}`) : toProtocolError(addr, err));
      }
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (phase === 'connect') finish(connectError(addr, err));
      else finish(closedError(addr, phase, session?.codec.encrypted ?? false, command));
    });
    socket.on('close', () => finish(closedError(addr, phase, session?.codec.encrypted ?? false, command)));
  });
}

function toProtocolError(addr: string, err: unknown): ProtocolError {
  return new ProtocolError(`${addr} sent a reply that does not decode: ${(err as Error).message}`);
}

function closedError(addr: string, phase: Phase, encrypted: boolean, command: AdminCommand): SyncobjError {
  if (phase === 'connect') return new ConnectError(`${addr} closed the connection before it was established`);
  if (phase === 'handshake') {
    return new AuthError(`${addr} closed the connection during the handshake: wrong password, or the node has none`);
  }
  if (!encrypted) {
    return new AuthError(
      `${addr} closed the connection without replying: the node probably needs a password (give -pass, -pass-file or SYNCOBJ_PASSWORD)`,
    );
  }
  return new ProtocolError(`${addr} closed the connection before replying to '${describeCommand(command)}'`);
}

function timeoutError(addr: string, phase: Phase, command: AdminCommand, deadline: Deadline): SyncobjError {
  const after = `within ${deadline.seconds}`;
  if (phase === 'connect') return new ConnectError(`could not connect to ${addr} ${after}: is the host up and the port open?`);
  if (phase === 'handshake') return new TimeoutError(`${addr} accepted the connection but did not complete the handshake ${after}`, phase);
  if (command.kind === 'transfer') {
    return new TimeoutError(
      `${addr} did not answer 'transfer' ${after}: the node may not support leadership transfer (PySyncObj 0.3.11 never replies to it)`,
      phase,
    );
  }
  return new TimeoutError(`${addr} did not reply to '${describeCommand(command)}' ${after}`, phase);
}
