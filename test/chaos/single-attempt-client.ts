// A key-value client that sends each request at most once: any answer other than success leaves a
// write's outcome unknown, and the next request goes to whichever member was named leader. Unlike
// KvClient it never re-sends a request, so the history it records tests the nodes alone.

import { NativeConnection } from '../../src/client/native-connection.js';
import type { KvReply } from '../../src/wire/native/admin-messages.js';

export class SingleAttemptError extends Error {
  /** True when the request certainly never reached a member (no connection could be opened). */
  constructor(message: string, readonly notSent: boolean) {
    super(message);
  }
}

export class SingleAttemptClient {
  #connection: NativeConnection | null = null;
  #next = 0;
  #preferred: string | null = null;

  constructor(
    readonly members: string[],
    private readonly passwordKey: Uint8Array,
    private readonly timeoutMs: number,
  ) {}

  set(key: string, value: string): Promise<KvReply> {
    return this.#once({ t: 'kv', op: 'set', key, value });
  }

  del(key: string): Promise<KvReply> {
    return this.#once({ t: 'kv', op: 'del', key });
  }

  async get(key: string): Promise<string | null> {
    return (await this.#once({ t: 'kv', op: 'get', key })).value ?? null;
  }

  close(): void {
    this.#connection?.close();
    this.#connection = null;
  }

  async #once(body: { t: 'kv'; op: 'set' | 'del' | 'get'; key: string; value?: string }): Promise<KvReply> {
    if (this.#connection === null || this.#connection.closed) {
      this.#connection?.close();
      const address = this.#preferred ?? this.members[this.#next++ % this.members.length]!;
      this.#preferred = null;
      try {
        this.#connection = await NativeConnection.open(address, this.passwordKey, Math.min(1500, this.timeoutMs));
      } catch (err) {
        this.#connection = null;
        throw new SingleAttemptError((err as Error).message, true);
      }
    }
    const connection = this.#connection;
    let reply;
    try {
      reply = await connection.request(body, this.timeoutMs);
    } catch (err) {
      this.close();
      throw new SingleAttemptError((err as Error).message, false);
    }
    if (reply.t !== 'kv_reply') throw new SingleAttemptError(`${connection.address} answered with ${reply.t}`, false);
    if (!reply.ok) {
      if (reply.leader && reply.leader !== connection.address) {
        this.#preferred = reply.leader;
        this.close();
      } else if (!reply.leader) this.close();
      throw new SingleAttemptError(`${connection.address}: ${reply.error ?? 'refused'}`, false);
    }
    return reply;
  }
}
