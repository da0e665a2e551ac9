// Serves a PySyncObj admin client (syncobj_admin) on the shared port: its handshake, then status, add,
// remove, set_version and transfer with PySyncObj's reply texts; anything else closes, as PySyncObj would.

import type { Socket } from 'node:net';
import { FrameDecoder, MessageCodec, PysyncobjServerSession, type PyValue } from '../wire/pysyncobj/index.js';
import type { AdminService } from './admin-service.js';
import type { EventLog } from './event-log.js';
import { statusToPy } from './status-report.js';

/** Admin requests are tiny; a client declaring more is not a syncobj_admin. */
const MAX_ADMIN_FRAME_BYTES = 64 * 1024;
const COMMANDS = new Set(['status', 'add', 'remove', 'set_version', 'transfer']);

export interface PysyncobjConnectionOptions {
  key: Uint8Array | null;
  admin: AdminService;
  log: EventLog;
  peer: string;
  /** Called once the client proved the password (or sent a valid request to a node without one). */
  onAuthenticated: () => void;
}

export function servePysyncobjAdmin(socket: Socket, initialBytes: Uint8Array, options: PysyncobjConnectionOptions): void {
  const decoder = new FrameDecoder(MAX_ADMIN_FRAME_BYTES);
  const codec = new MessageCodec(options.key);
  const session = new PysyncobjServerSession(codec);
  let authenticated = false;
  let handshaking = codec.encrypted;
  const close = (why: string | null): void => {
    if (why !== null && !authenticated) options.log.event('auth', `failed authentication from ${options.peer} (PySyncObj wire): ${why}`);
    socket.destroy();
  };
  const onData = (chunk: Uint8Array): void => {
    try {
      for (const body of decoder.push(chunk)) {
        const step = session.receive(body);
        if ('send' in step) {
          handshaking = false;
          socket.write(step.send);
          continue;
        }
        if (!authenticated) {
          authenticated = true;
          options.onAuthenticated();
        }
        handle(step.request);
      }
    } catch (err) {
      close(handshaking || !authenticated ? (err as Error).message : null);
    }
  };
  const handle = (request: PyValue): void => {
    if (!Array.isArray(request) || typeof request[0] !== 'string' || !COMMANDS.has(request[0])) {
      close(null);
      return;
    }
    const [cmd, arg] = request as [string, PyValue];
    const argument = typeof arg === 'string' || typeof arg === 'number' ? arg : undefined;
    if (cmd === 'set_version' && typeof argument !== 'number') return close(null);
    void options.admin.execute(cmd as 'status', argument).then(
      (answer) => {
        if (socket.destroyed) return;
        const reply: PyValue = answer.kind === 'status' ? statusToPy(answer.entries) : answer.kind === 'text' ? answer.text : null;
        socket.write(session.encodeReply(reply));
      },
      () => close(null),
    );
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (initialBytes.length > 0) onData(initialBytes);
  socket.resume();
}
