// The key-value client: one connection, many requests in flight, following the leader by itself and
// trying other members when a connection is lost, all within each request's deadline.

import { randomBytes } from 'node:crypto';
import { AuthError, CommandFailedError, ConnectError, TimeoutError, UsageError } from '../errors.js';
import { formatSeconds } from '../seconds.js';
import type { KvReply, KvRequest } from '../wire/native/admin-messages.js';
import { deriveNativeKey } from '../wire/native/index.js';
import { parseAddress } from './address.js';
import { NativeConnection, type RequestBody } from './native-connection.js';
import { RefusedError } from './socket-errors.js';

export interface KvClientOptions {
  /** Members to try (HOST:PORT), in order; the client moves to whichever one leads. */
  members: string[];
  /** The cluster's password; null or absent for a cluster without one. */
  password?: string | null;
  /** Per request, retries included (default 10000). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const RETRY_PAUSE_MS = 50;

export class KvClient {
  #key: Promise<Uint8Array>;
  readonly #timeoutMs: number;
  #connection: Promise<NativeConnection> | null = null;
  /** The connection `#connection` resolved to, while it is the current one: used without a promise hop. */
  #open: NativeConnection | null = null;
  #next = 0;
  #preferred: string | null = null;
  /** Writes carry (session, seq) so a re-send after an ambiguous outcome is applied at most once. */
  readonly #session = randomBytes(12).toString('hex');
  #nextSeq = 1;
  readonly #writesInFlight = new Set<number>();
  /** No write below this number is in flight; it only moves up, so finding the floor costs O(1) amortized. */
  #lowestInFlight = 1;

  constructor(readonly options: KvClientOptions) {
    if (options.members.length === 0) throw new UsageError('KvClient needs at least one member to connect to');
    for (const m of options.members) if (!parseAddress(m)) throw new UsageError(`KvClient: member '${m}' is not HOST:PORT`);
    this.#key = deriveNativeKey(options.password ?? null);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#write('set', key, value);
  }

  async del(key: string): Promise<void> {
    await this.#write('del', key);
  }

  /** The value, or null when the key is absent; linearizable (a ReadIndex round on the leader). */
  async get(key: string): Promise<string | null> {
    const reply = await this.#send('get', () => ({ t: 'kv', id: 0, op: 'get', key }));
    return reply.value ?? null;
  }

  close(): void {
    const connection = this.#connection;
    this.#connection = null;
    this.#open = null;
    void connection?.then((c) => c.close(), () => undefined);
  }

  async #write(op: 'set' | 'del', key: string, value?: string): Promise<void> {
    const seq = this.#nextSeq++;
    this.#writesInFlight.add(seq);
    const session = this.#session;
    try {
      // Built afresh per attempt, always in one shape (a literal, not a spread: this is the hot path),
      // with the floor recomputed: writes that completed meanwhile need not be remembered.
      await this.#send(op, () =>
        value === undefined ? { t: 'kv', id: 0, op, key, session, seq, floor: this.#floor() } : { t: 'kv', id: 0, op, key, value, session, seq, floor: this.#floor() },
      );
    } finally {
      this.#writesInFlight.delete(seq);
    }
  }

  /** The lowest write number still in flight: every number below it has completed. */
  #floor(): number {
    while (this.#lowestInFlight < this.#nextSeq && !this.#writesInFlight.has(this.#lowestInFlight)) this.#lowestInFlight++;
    return this.#lowestInFlight;
  }

  async #send(op: KvRequest['op'], request: () => RequestBody): Promise<KvReply> {
    const deadline = Date.now() + this.#timeoutMs;
    let last = 'no member answered';
    /** Members that refused the connection since one last accepted: when that is all of them, nobody is listening. */
    const refused = new Map<string, string>();
    for (let attempt = 0; Date.now() < deadline && attempt < 1000; attempt++) {
      let connection: NativeConnection;
      try {
        connection = this.#open !== null && !this.#open.closed ? this.#open : await this.#connect(deadline);
      } catch (err) {
        if (err instanceof AuthError || err instanceof UsageError) throw err;
        last = (err as Error).message;
        if (err instanceof RefusedError) {
          refused.set(err.address, err.message);
          // Waiting out the deadline would only delay the answer: no member is running on these addresses.
          if (this.options.members.every((m) => refused.has(m))) throw new ConnectError(`no member accepted a connection: ${[...refused.values()].join('; ')}`);
          continue;
        }
        await pause(RETRY_PAUSE_MS, deadline);
        continue;
      }
      refused.clear();
      let reply;
      try {
        // One member may hang (a failed disk, a partition): leave time to ask another.
        const attemptMs = Math.min(deadline - Date.now(), Math.max(1000, this.#timeoutMs / 3));
        reply = await connection.request(request(), Math.max(1, attemptMs));
      } catch (err) {
        this.#drop(connection);
        last = (err as Error).message;
        continue;
      }
      if (reply.t !== 'kv_reply') throw new CommandFailedError(`${connection.address} answered a kv request with ${reply.t}`);
      if (reply.ok) return reply;
      last = `${connection.address}: ${reply.error ?? 'refused'}`;
      if (reply.leader && reply.leader !== connection.address) this.#preferred = reply.leader;
      else await pause(RETRY_PAUSE_MS * 2, deadline);
      // Without a better leader to go to, try the next member: this one may be cut off.
      this.#drop(connection);
    }
    throw new TimeoutError(`no member completed '${op}' within ${formatSeconds(this.#timeoutMs)}: ${last}`, 'reply');
  }

  #connect(deadline: number): Promise<NativeConnection> {
    if (this.#connection === null) {
      const address = this.#preferred ?? this.options.members[this.#next++ % this.options.members.length]!;
      this.#preferred = null;
      const opening = this.#key.then((key) => NativeConnection.open(address, key, Math.max(1, Math.min(3000, deadline - Date.now()))));
      this.#connection = opening;
      opening.then(
        (c) => {
          if (this.#connection === opening) this.#open = c;
        },
        () => {
          if (this.#connection === opening) this.#connection = null;
        },
      );
    }
    return this.#connection.then((c) => {
      if (c.closed) {
        this.#drop(c);
        throw new ConnectError(`${c.address} closed the connection`);
      }
      return c;
    });
  }

  /**
   * Closes a connection that failed a request, and forgets it if it is still the current one. Only
   * then: when a connection with a thousand requests in flight fails, each of them drops it, and
   * forgetting whatever is current each time would open a new connection per request.
   */
  #drop(connection: NativeConnection): void {
    connection.close();
    if (this.#open === connection) {
      this.#open = null;
      this.#connection = null;
    }
  }
}

function pause(ms: number, deadline: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now()))));
}

