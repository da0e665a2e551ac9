// Raw connections for hostile-input tests: bytes straight onto a socket, a native session whose frames
// the test writes itself (to replay or reorder them), and a process's resident memory.

import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { ClientHandshake, type NativeSession } from '../../src/wire/native/index.js';

export function openSocket(address: string, timeoutMs = 5000): Promise<Socket> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`could not connect to ${address} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface SocketOutcome {
  /** Everything the other side sent. */
  received: Buffer;
  /** True when the other side closed (or reset) before our deadline; false when we gave up and closed it. */
  closedByPeer: boolean;
  ms: number;
}

/** Writes `bytes` (optionally ending our side), then waits for the peer to close, at most `waitMs`. */
export async function sendAndWatch(address: string, bytes: Uint8Array, options: { waitMs: number; end?: boolean }): Promise<SocketOutcome> {
  const socket = await openSocket(address);
  return watch(socket, options.waitMs, () => {
    if (bytes.length > 0) socket.write(bytes);
    if (options.end) socket.end();
  });
}

export function watch(socket: Socket, waitMs: number, start: () => void = () => undefined): Promise<SocketOutcome> {
  const started = performance.now();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = (closedByPeer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closedByPeer, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    start();
  });
}

/** A handshaken native client session over a raw socket: the test seals frames and writes them as it likes. */
export async function rawNativeSession(address: string, passwordKey: Uint8Array): Promise<{ socket: Socket; session: NativeSession; sent: Buffer[]; received: Buffer[] }> {
  const socket = await openSocket(address);
  const machine = await ClientHandshake.start({ passwordKey, peer: address });
  const sent: Buffer[] = [Buffer.from(machine.hello)];
  const received: Buffer[] = [];
  socket.write(machine.hello);
  const session = await new Promise<NativeSession>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('native handshake did not complete within 5 s')), 5000);
    const onData = (chunk: Buffer): void => {
      received.push(chunk);
      try {
        const step = machine.receive(chunk);
        if (step.send) {
          sent.push(Buffer.from(step.send));
          socket.write(step.send);
        }
        if (step.session) {
          clearTimeout(timer);
          socket.off('data', onData);
          resolve(step.session);
        }
      } catch (err) {
        clearTimeout(timer);
        reject(err as Error);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed during the native handshake')));
  });
  socket.on('error', () => undefined);
  return { socket, session, sent, received };
}

/** Resident set size of a process in KiB, from /proc (Linux). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}
