// A loopback TCP proxy for one directed link between two members: passes bytes through, or delays,
// stalls (a partition that keeps connections open), refuses (a partition that resets them), or cuts
// connections, on command.
//
// Raft traffic on a link is one TCP stream of authenticated frames with implicit counters, so a
// single message cannot be dropped on its own: losing bytes breaks the stream. "Lossy" therefore
// cuts the connection at a random chunk, which the sender sees as a reset and recovers from by
// reconnecting, exactly what lost messages amount to over TCP.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Prng } from '../sim/prng.js';

export type LinkMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number; jitterMs: number }
  | { kind: 'lossy'; cutProbability: number }
  /** Accepts and holds connections but forwards nothing until healed (bounded buffer, then cut). */
  | { kind: 'stall' }
  /** Resets every connection and refuses new ones. */
  | { kind: 'refuse' };

/** A stalled link holds at most this much before it gives up and cuts. */
const STALL_BUFFER_BYTES = 4 * 1024 * 1024;

interface Pipe {
  client: Socket;
  upstream: Socket;
  /** Chunks held while stalled, per direction. */
  held: { to: Socket; chunk: Buffer }[];
  heldBytes: number;
  /** Deliveries stay in order under jitter. */
  lastDeliveryAt: number;
}

export class LinkProxy {
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  #mode: LinkMode = { kind: 'pass' };
  port = 0;
  connections = 0;

  constructor(
    readonly name: string,
    readonly target: { host: string; port: number },
    private readonly random: Prng,
  ) {
    this.#server = createServer((client) => this.#accept(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.port = (this.#server.address() as { port: number }).port;
        resolve(this.port);
      });
    });
  }

  get mode(): LinkMode {
    return this.#mode;
  }

  set(mode: LinkMode): void {
    const was = this.#mode;
    this.#mode = mode;
    if (mode.kind === 'refuse') this.cut();
    if (was.kind === 'stall' && mode.kind !== 'stall') {
      for (const pipe of this.#pipes) {
        const held = pipe.held.splice(0);
        pipe.heldBytes = 0;
        for (const { to, chunk } of held) this.#forward(pipe, to, chunk);
      }
    }
  }

  /** Resets every open connection now; new ones are accepted as the mode says. */
  cut(): void {
    for (const pipe of this.#pipes) this.#close(pipe);
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#mode.kind === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    this.connections++;
    const upstream = connect({ host: this.target.host, port: this.target.port });
    const pipe: Pipe = { client, upstream, held: [], heldBytes: 0, lastDeliveryAt: 0 };
    this.#pipes.add(pipe);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.#forward(pipe, upstream, chunk));
    upstream.on('data', (chunk: Buffer) => this.#forward(pipe, client, chunk));
    const end = (): void => this.#close(pipe);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  #forward(pipe: Pipe, to: Socket, chunk: Buffer): void {
    if (!this.#pipes.has(pipe)) return;
    const mode = this.#mode;
    switch (mode.kind) {
      case 'pass':
        to.write(chunk);
        return;
      case 'refuse':
        this.#close(pipe);
        return;
      case 'stall':
        pipe.held.push({ to, chunk });
        pipe.heldBytes += chunk.length;
        if (pipe.heldBytes > STALL_BUFFER_BYTES) this.#close(pipe);
        return;
      case 'lossy':
        if (this.random.chance(mode.cutProbability)) this.#close(pipe);
        else to.write(chunk);
        return;
      case 'delay': {
        const at = Math.max(pipe.lastDeliveryAt, performance.now() + mode.ms + this.random.next() * mode.jitterMs);
        pipe.lastDeliveryAt = at;
        setTimeout(() => {
          if (this.#pipes.has(pipe) && !to.destroyed) to.write(chunk);
        }, Math.max(0, at - performance.now()));
        return;
      }
    }
  }

  #close(pipe: Pipe): void {
    if (!this.#pipes.delete(pipe)) return;
    pipe.client.destroy();
    pipe.upstream.destroy();
  }
}
