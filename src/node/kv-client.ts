// The key-value client: one connection, many requests in flight, following the leader by itself and
// trying other members when a connection is lost, all within each request's deadline.

import { randomBytes } from 'node:crypto';
import { AuthError, CommandFailedError, ConnectError, TimeoutError } from '../errors.js';
import type { KvReply } from '../wire/native/admin-messages.js';
import { deriveNativeKey } from '../wire/native/index.js';
import type { KvSession } from './kv-command.js';
import { NativeConnection, type RequestBody } from './native-connection.js';

export interface KvClientOptions {
  /** Members to try, in order; the client moves to whichever one leads. */
  members: string[];
  password: string | null;
  /** Per request, retries included. */
  timeoutMs: number;
}

const RETRY_PAUSE_MS = 50;

export class KvClient {
  #key: Promise<Uint8Array>;
  #connection: Promise<NativeConnection> | null = null;
  #next = 0;
  #preferred: string | null = null;
  /** Writes carry (session, seq) so a re-send after an ambiguous outcome is applied at most once. */
  readonly #session = randomBytes(12).toString('hex');
  #nextSeq = 1;
  readonly #writesInFlight = new Set<number>();

  constructor(readonly options: KvClientOptions) {
    if (options.members.length === 0) throw new CommandFailedError('no member to connect to');
    this.#key = deriveNativeKey(options.password);
  }

  async set(key: string, value: string): Promise<void> {
    await this.#write({ t: 'kv', op: 'set', key, value });
  }

  async del(key: string): Promise<void> {
    await this.#write({ t: 'kv', op: 'del', key });
  }

  /** The value, or null when the key is absent; linearizable (a ReadIndex round on the leader). */
  async get(key: string): Promise<string | null> {
    const reply = await this.#send({ t: 'kv', op: 'get', key });
    return reply.value ?? null;
  }

  close(): void {
    const connection = this.#connection;
    this.#connection = null;
    void connection?.then((c) => c.close(), () => undefined);
  }

  async #write(body: RequestBody): Promise<void> {
    const seq = this.#nextSeq++;
    this.#writesInFlight.add(seq);
    try {
      // The floor is recomputed per attempt: writes that completed meanwhile need not be remembered.
      await this.#send(body, () => ({ session: this.#session, seq, floor: Math.min(seq, ...this.#writesInFlight) }));
    } finally {
      this.#writesInFlight.delete(seq);
    }
  }

  async #send(body: RequestBody, session?: () => KvSession): Promise<KvReply> {
    const deadline = Date.now() + this.options.timeoutMs;
    let last = 'no member answered';
    for (let attempt = 0; Date.now() < deadline && attempt < 1000; attempt++) {
      let connection: NativeConnection;
      try {
        connection = await this.#connect(deadline);
      } catch (err) {
        if (err instanceof AuthError) throw err;
        last = (err as Error).message;
        await pause(RETRY_PAUSE_MS, deadline);
        continue;
      }
      let reply;
      try {
        // One member may hang (a failed disk, a partition): leave time to ask another.
        const attemptMs = Math.min(deadline - Date.now(), Math.max(1000, this.options.timeoutMs / 3));
        reply = await connection.request(session ? { ...body, ...session() } : body, Math.max(1, attemptMs));
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
    throw new TimeoutError(`no member completed '${body.t === 'kv' ? body.op : body.cmd}' within ${this.options.timeoutMs} ms: ${last}`, 'reply');
  }

  #connect(deadline: number): Promise<NativeConnection> {
    if (this.#connection === null) {
      const address = this.#preferred ?? this.options.members[this.#next++ % this.options.members.length]!;
      this.#preferred = null;
      const opening = this.#key.then((key) => NativeConnection.open(address, key, Math.max(1, Math.min(3000, deadline - Date.now()))));
      this.#connection = opening;
      opening.catch(() => {
        if (this.#connection === opening) this.#connection = null;
      });
    }
    return this.#connection.then((c) => {
      if (c.closed) {
        this.#drop(c);
        throw new ConnectError(`${c.address} closed the connection`);
      }
      return c;
    });
  }

  #drop(connection: NativeConnection): void {
    connection.close();
    void this.#connection?.then((c) => {
      if (c === connection) this.#connection = null;
    }, () => undefined);
    // Synchronously forget it too, so the next attempt opens a fresh one.
    this.#connection = null;
  }
}

function pause(ms: number, deadline: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now()))));
}

