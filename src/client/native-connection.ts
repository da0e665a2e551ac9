// The one native-wire client connection to a member, with many requests in flight matched to replies
// by id: the KV client keeps one open, an admin command opens one for its single exchange.

import { parseAddress, type NodeAddress } from './address.js';
import type { AdminReply, StatusMap } from './commands.js';
import { Deadline } from './deadline.js';
import { ConnectError, ProtocolError, SyncobjError, TimeoutError, UsageError } from '../errors.js';
import { parseNodeMessage, type AdminRequest, type KvRequest, type NativeStatusValue, type NodeMessage } from '../wire/native/admin-messages.js';
import { clientHandshake, type NativeChannel } from '../wire/native/index.js';
import { formatSeconds } from '../seconds.js';
import { openSocket } from './socket-errors.js';


interface Waiter {
  resolve: (m: NodeMessage) => void;
  reject: (e: Error) => void;
  /** performance.now() past which the request fails with a TimeoutError. */
  deadline: number;
  /** What the TimeoutError names: the command and how the wait is worded. */
  what: string;
  within: string | number;
}

/** A request as a caller makes it; `request` numbers it in place (an `id` given is overwritten). */
export type RequestBody = (Omit<AdminRequest, 'id'> | Omit<KvRequest, 'id'>) & { id?: number };

export class NativeConnection {
  #nextId = 1;
  #waiting = new Map<number, Waiter>();
  #failure: Error | null = null;
  /** One timer for the earliest deadline of all requests in flight, not one per request. */
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Infinity;

  private constructor(
    readonly address: string,
    private readonly channel: NativeChannel,
  ) {
    channel.on('message', (raw: unknown) => {
      const message = parseNodeMessage(raw);
      const waiter = message ? this.#waiting.get(message.id) : undefined;
      if (!message || !waiter) return this.#fail(new ProtocolError(`${address} sent a native message that answers no request`));
      this.#waiting.delete(message.id);
      if (this.#waiting.size === 0) this.#disarm();
      waiter.resolve(message);
    });
    channel.on('error', (err: Error) => this.#fail(err instanceof SyncobjError ? err : new ProtocolError(`${address}: ${err.message}`)));
    channel.on('close', () => this.#fail(new ConnectError(`${address} closed the connection`)));
  }

  /** Connects, authenticates and says hello as a client, all within the deadline (a Deadline, or ms from now). */
  static async open(address: string | NodeAddress, passwordKey: Uint8Array | Promise<Uint8Array>, within: number | Deadline): Promise<NativeConnection> {
    const parsed = typeof address === 'string' ? parseAddress(address) : address;
    if (!parsed) throw new UsageError(`'${String(address)}' is not HOST:PORT`);
    const deadline = typeof within === 'number' ? new Deadline(within) : within;
    const socket = await openSocket(parsed, deadline.remainingMs(), deadline.seconds);
    // The key may still be deriving in the thread pool: it is needed only once the socket is open.
    const channel = await clientHandshake(socket, { passwordKey: await passwordKey, peer: parsed.text, timeoutMs: Math.max(1, deadline.remainingMs()), deadlineText: deadline.seconds });
    channel.send({ t: 'hello', role: 'client' });
    return new NativeConnection(parsed.text, channel);
  }

  get closed(): boolean {
    return this.#failure !== null || this.channel.closed;
  }

  /**
   * Sends one request, numbering it in place (no copy: this is every write's path), so pass a fresh
   * object per call. `within` words the timeout as the caller's whole deadline when it has one.
   */
  request(body: RequestBody, timeoutMs: number, within?: string): Promise<NodeMessage> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    body.id = id;
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      this.#waiting.set(id, { resolve, reject, deadline, what: body.t === 'admin' ? body.cmd : body.op, within: within ?? timeoutMs });
      if (deadline < this.#timerAt) this.#arm(deadline);
      try {
        this.channel.send(body);
      } catch (err) {
        this.#fail(err as Error);
      }
    });
  }

  #arm(at: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - performance.now()));
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  /** Fails the requests whose deadline passed and sets the timer for the earliest of the rest. */
  #expire(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, w] of this.#waiting) {
      if (w.deadline <= now) {
        this.#waiting.delete(id);
        const within = typeof w.within === 'string' ? w.within : formatSeconds(w.within);
        w.reject(new TimeoutError(`${this.address} did not reply to '${w.what}' within ${within}`, 'reply'));
      } else next = Math.min(next, w.deadline);
    }
    if (next !== Infinity) this.#arm(next);
  }

  close(): void {
    this.channel.destroy();
    this.#fail(new ConnectError(`the connection to ${this.address} was closed`));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#disarm();
    for (const [id, w] of this.#waiting) {
      this.#waiting.delete(id);
      w.reject(this.#failure);
    }
  }
}

export type NativeReply = string | Record<string, NativeStatusValue>;

/** One admin request on a connection opened for it, all within the deadline; the reply as the node sent it. */
export async function adminRequest(
  address: string | NodeAddress,
  passwordKey: Uint8Array | Promise<Uint8Array>,
  cmd: AdminRequest['cmd'],
  arg: string | number | undefined,
  within: number | Deadline,
): Promise<NativeReply> {
  const deadline = typeof within === 'number' ? new Deadline(within) : within;
  const connection = await NativeConnection.open(address, passwordKey, deadline);
  try {
    const reply = await connection.request({ t: 'admin', cmd, ...(arg !== undefined ? { arg } : {}) }, Math.max(1, deadline.remainingMs()), deadline.seconds);
    if (reply.t !== 'admin_reply') throw new ProtocolError(`${connection.address} answered an admin request with a ${reply.t}`);
    return reply.reply;
  } finally {
    connection.close();
  }
}

/** The native reply as the client API's reply, the same shape as from PySyncObj's wire. */
export function replyFromNative(reply: NativeReply): AdminReply {
  if (typeof reply === 'string') return reply;
  const status: StatusMap = new Map();
  for (const [k, v] of Object.entries(reply)) status.set(k, v);
  return status;
}
