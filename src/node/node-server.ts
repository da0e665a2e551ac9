// The member's one TCP port: tells native peers and clients from PySyncObj admin clients by their first
// bytes, authenticates them under a deadline, and caps how many may be unauthenticated at once.

import { createServer, type Server, type Socket } from 'node:net';
import { detectWire, serverHandshake, HandshakeAuthError, type NativeChannel } from '../wire/native/index.js';
import { parseClientMessage } from '../wire/native/admin-messages.js';
import type { EventLog } from './event-log.js';
import { servePysyncobjAdmin } from './pysyncobj-admin-connection.js';

export interface NodeServerOptions {
  host: string;
  port: number;
  log: EventLog;
  /** Whole handshake, from accept to an authenticated hello. */
  handshakeTimeoutMs: number;
  maxUnauthenticated: number;
}

/** What answers the connections, given once the member's state is open. */
export interface NodeServices {
  nativeKey: Uint8Array;
  pysyncobjKey: Uint8Array | null;
  onPeer: (channel: NativeChannel, from: string) => void;
  onClient: (channel: NativeChannel) => void;
  admin: Parameters<typeof servePysyncobjAdmin>[2]['admin'];
}

export class NodeServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Connections still authenticating, oldest first (a Set keeps insertion order). */
  readonly #pending = new Set<Socket>();
  #services: NodeServices | null = null;
  /** Accepted while the member was still opening its data dir; their bytes wait in the socket. */
  readonly #early: Socket[] = [];

  constructor(private readonly options: NodeServerOptions) {
    this.#server = createServer({ pauseOnConnect: false }, (socket) => this.#accept(socket));
    this.#server.maxConnections = 4096;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.options.port, this.options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  /** Starts answering, first the connections that arrived while the member was opening its state. */
  serve(services: NodeServices): void {
    this.#services = services;
    for (const socket of this.#early.splice(0)) if (!socket.destroyed) this.#accept(socket);
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const services = this.#services;
    if (services === null) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      this.#early.push(socket);
      if (this.#early.length > this.options.maxUnauthenticated) this.#early.shift()!.destroy();
      return;
    }
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    // At the cap, the oldest connection still authenticating makes room: refusing the newest
    // instead would let a few idle sockets lock every admin client and peer out for ever.
    if (this.#pending.size >= this.options.maxUnauthenticated) {
      const oldest = this.#pending.values().next().value as Socket;
      this.options.log.event('auth', `closed ${oldest.remoteAddress}:${oldest.remotePort}: ${this.#pending.size} connections are authenticating, and it is the oldest`);
      this.#pending.delete(oldest);
      oldest.destroy();
    }
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.#pending.add(socket);
    const authenticated = (): void => {
      if (this.#pending.delete(socket)) clearTimeout(deadline);
    };
    socket.once('close', () => {
      this.#pending.delete(socket);
      clearTimeout(deadline);
    });
    const deadline = setTimeout(() => {
      this.options.log.event('auth', `closed ${peer}: no authenticated request within ${this.options.handshakeTimeoutMs} ms`);
      socket.destroy();
    }, this.options.handshakeTimeoutMs);
    let first: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      first = Buffer.concat([first, chunk]);
      const wire = detectWire(first);
      if (wire === 'need-more' && first.length < 64) return;
      socket.off('data', onData);
      socket.pause();
      if (wire === 'native') this.#native(socket, first, peer, services, authenticated);
      else if (wire === 'pysyncobj') {
        servePysyncobjAdmin(socket, first, { key: services.pysyncobjKey, admin: services.admin, log: this.options.log, peer, onAuthenticated: authenticated });
      } else socket.destroy();
    };
    socket.on('data', onData);
  }

  #native(socket: Socket, first: Buffer, peer: string, services: NodeServices, authenticated: () => void): void {
    serverHandshake(socket, { passwordKey: services.nativeKey, initialBytes: first, timeoutMs: this.options.handshakeTimeoutMs, peer }).then(
      (channel) => {
        channel.on('error', () => undefined);
        const onHello = (raw: unknown): void => {
          channel.off('message', onHello);
          const hello = parseClientMessage(raw);
          if (hello?.t !== 'hello') {
            channel.destroy();
            return;
          }
          authenticated();
          if (hello.role === 'peer') services.onPeer(channel, hello.from);
          else services.onClient(channel);
        };
        channel.on('message', onHello);
      },
      (err: Error) => {
        // The message names the peer and what went wrong, never a password or key.
        const what = err instanceof HandshakeAuthError ? err.reason : err.message;
        this.options.log.event('auth', `failed authentication from ${peer} (native wire): ${what}`);
        socket.destroy();
      },
    );
  }
}
