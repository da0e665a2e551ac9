// Load generators: closed-loop writers with a fixed number of writes in flight, timing each write.
// syncobj-node is driven by the in-process KvClient (pipelined on one connection per client);
// PySyncObj by the fixture's --bench-port ("set KEY VALUE" -> "ok"), one connection per writer
// since the fixture answers each connection's lines one at a time.

import { connect, type Socket } from 'node:net';
import { KvClient } from 'syncobj-admin';
import { sleep } from './util.js';

/** Something that commits one write and resolves when it is acknowledged (rejects when it failed). */
export interface Writer {
  set(key: string, value: string): Promise<void>;
  close(): void;
}

export const VALUE_10B = '0123456789';

export function kvWriter(members: string[], password: string | null = null, timeoutMs = 10_000): Writer {
  const client = new KvClient({ members, password, timeoutMs });
  return { set: (k, v) => client.set(k, v), close: () => client.close() };
}

/**
 * A line writer to PySyncObj bench ports. It talks to `ports[0]` first; when the connection is lost
 * (the member died) it moves to the next port. A write that was in flight on a lost connection, or
 * answered "err", rejects: PySyncObj's client has no retry of its own.
 */
export class PyLineWriter implements Writer {
  #socket: Socket | null = null;
  #connecting: Promise<Socket> | null = null;
  #buffer = '';
  #waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #next = 0;
  #closed = false;

  constructor(readonly ports: number[]) {}

  async set(key: string, value: string): Promise<void> {
    const socket = await this.#connect();
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      socket.write(`set ${key} ${value}\n`);
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
  }

  #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= (async () => {
      const end = performance.now() + 15_000;
      let last: Error | null = null;
      while (!this.#closed && performance.now() < end) {
        const port = this.ports[this.#next % this.ports.length]!;
        try {
          const socket = await new Promise<Socket>((resolve, reject) => {
            const s = connect({ host: '127.0.0.1', port });
            s.setNoDelay(true);
            s.once('connect', () => resolve(s));
            s.once('error', reject);
          });
          socket.on('data', (chunk: Buffer) => this.#onData(chunk));
          socket.on('error', () => undefined);
          socket.on('close', () => this.#lost(socket));
          this.#socket = socket;
          return socket;
        } catch (err) {
          last = err as Error;
          this.#next++;
          await sleep(20);
        }
      }
      throw new Error(`no PySyncObj bench port accepted a connection: ${last?.message ?? 'closed'}`);
    })().finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  #onData(chunk: Buffer): void {
    this.#buffer += chunk.toString();
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      const w = this.#waiting.shift();
      if (!w) continue;
      if (line === 'ok') w.resolve();
      else w.reject(new Error(`PySyncObj answered ${line}`));
    }
  }

  #lost(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = null;
    this.#buffer = '';
    this.#next++;
    for (const w of this.#waiting.splice(0)) w.reject(new Error('connection lost'));
  }
}

export interface LoadResult {
  ops: number;
  failures: number;
  seconds: number;
  opsPerSec: number;
  latenciesMs: number[];
}

/**
 * Closed loop: `inFlight` loops per writer, each writing one 10-byte value after the other, for
 * warmupMs (not counted) then durationMs (counted: writes that started in the window and finished).
 */
export async function closedLoop(writers: Writer[], inFlight: number, durationMs: number, warmupMs: number, prefix = 'b'): Promise<LoadResult> {
  const t0 = performance.now();
  const windowStart = t0 + warmupMs;
  const windowEnd = windowStart + durationMs;
  const latencies: number[] = [];
  let failures = 0;
  let n = 0;
  const loop = async (w: Writer, id: number): Promise<void> => {
    while (performance.now() < windowEnd) {
      const start = performance.now();
      try {
        await w.set(`${prefix}${id}.${n++}`, VALUE_10B);
        const end = performance.now();
        if (start >= windowStart && end <= windowEnd) latencies.push(end - start);
      } catch {
        if (start >= windowStart) failures++;
        await sleep(5);
      }
    }
  };
  await Promise.all(writers.flatMap((w, wi) => Array.from({ length: inFlight }, (_, i) => loop(w, wi * inFlight + i))));
  const seconds = durationMs / 1000;
  return { ops: latencies.length, failures, seconds, opsPerSec: latencies.length / seconds, latenciesMs: latencies };
}

/** One writer, one write at a time: the latency of a single commit. */
export async function sequential(writer: Writer, count: number, maxMs: number, prefix = 's'): Promise<{ latenciesMs: number[]; failures: number }> {
  const end = performance.now() + maxMs;
  const latencies: number[] = [];
  let failures = 0;
  for (let i = 0; i < count && performance.now() < end; i++) {
    const t = performance.now();
    try {
      await writer.set(`${prefix}${i}`, VALUE_10B);
      latencies.push(performance.now() - t);
    } catch {
      failures++;
    }
  }
  return { latenciesMs: latencies, failures };
}
