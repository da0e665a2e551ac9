// Runs a handshake state machine over a net.Socket with a deadline, and hands back a NativeChannel.

import type { Socket } from 'node:net';
import { ProtocolError, TimeoutError } from '../../errors.js';
import { formatSeconds } from '../../seconds.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './constants.js';
import { ClientHandshake, ServerHandshake, type HandshakeStep } from './handshake.js';
import { NativeChannel } from './native-channel.js';

export interface SocketHandshakeOptions {
  /** From deriveNativeKey(password), or deriveNativeKey(null) for no password. */
  passwordKey: Uint8Array;
  /** Deadline for the whole handshake, counted from the call (default 5000 ms). */
  timeoutMs?: number;
  /** How a timeout error states the deadline, e.g. a command's whole -timeout ("2 s") rather than what was left of it. */
  deadlineText?: string;
  /** Aborting fails the handshake with a TimeoutError and destroys the socket. */
  signal?: AbortSignal;
  /** How errors name the peer; default "remoteAddress:remotePort". */
  peer?: string;
  maxFrameBytes?: number;
}

export interface ServerSocketHandshakeOptions extends SocketHandshakeOptions {
  /** Bytes already read from the socket, e.g. those detectWire looked at. */
  initialBytes?: Uint8Array;
}

function describe(socket: Socket): string {
  return socket.remoteAddress !== undefined ? `${socket.remoteAddress}:${socket.remotePort}` : 'the peer';
}

/**
 * Connects as a client: writes the hello, verifies the node's proof before sending anything
 * else, then its own proof. Rejects with HandshakeAuthError (an AuthError naming the node) on a
 * password mismatch, ProtocolError on bad bytes, TimeoutError (phase 'handshake') past the
 * deadline. On failure the socket is destroyed.
 */
export async function clientHandshake(socket: Socket, options: SocketHandshakeOptions): Promise<NativeChannel> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const peer = (): string => options.peer ?? describe(socket);
  const machine = await ClientHandshake.start({ passwordKey: options.passwordKey, peer, maxFrameBytes: options.maxFrameBytes });
  return runHandshake(socket, machine, options, deadline, peer, {
    first: machine.hello,
    onClose: () =>
      new ProtocolError(`${peer()} closed the connection during the native handshake; is it a syncobj-node with the native wire enabled?`),
  });
}

/** Accepts a client on the node side; rejects like clientHandshake, with errors naming the client. */
export async function serverHandshake(socket: Socket, options: ServerSocketHandshakeOptions): Promise<NativeChannel> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const peer = (): string => options.peer ?? describe(socket);
  const machine = await ServerHandshake.start({ passwordKey: options.passwordKey, peer, maxFrameBytes: options.maxFrameBytes });
  return runHandshake(socket, machine, options, deadline, peer, {
    initial: options.initialBytes,
    onClose: () => machine.explainClientClose(),
  });
}

function runHandshake(
  socket: Socket,
  machine: { receive(chunk: Uint8Array): HandshakeStep },
  options: SocketHandshakeOptions,
  deadline: number,
  peer: () => string,
  how: { first?: Uint8Array; initial?: Uint8Array | undefined; onClose: () => Error },
): Promise<NativeChannel> {
  return new Promise<NativeChannel>((resolve, reject) => {
    let settled = false;
    const within = options.deadlineText ?? formatSeconds(options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    const timer = setTimeout(
      () =>
        fail(
          new TimeoutError(
            `the native handshake with ${peer()} did not complete within ${within}; check that it is a syncobj node speaking the native wire`,
            'handshake',
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = (): void =>
      fail(new TimeoutError(`the native handshake with ${peer()} was aborted: ${String(options.signal?.reason)}`, 'handshake'));
    const onData = (chunk: Uint8Array): void => {
      let step: HandshakeStep;
      try {
        step = machine.receive(chunk);
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (step.send !== undefined) socket.write(step.send);
      if (step.fail !== undefined) {
        cleanup();
        settled = true;
        socket.end();
        reject(step.fail);
        return;
      }
      if (step.session !== undefined) {
        cleanup();
        settled = true;
        resolve(new NativeChannel(socket, step.session, peer(), step.leftover));
      }
    };
    const onClose = (): void => fail(how.onClose());
    const onError = (err: Error): void =>
      fail(new ProtocolError(`the native handshake with ${peer()} failed: ${err.message}`, { cause: err }));

    function cleanup(): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
    }
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    }

    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Request/response traffic of small frames: Nagle plus delayed ACKs would add tens of ms per exchange.
    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    if (how.first !== undefined) socket.write(how.first);
    if (how.initial !== undefined && how.initial.length > 0) onData(how.initial);
    if (!settled) socket.resume();
  });
}
