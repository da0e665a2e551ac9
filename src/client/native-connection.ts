// One native-wire client connection to a member, with many requests in flight matched to replies by id.

import { parseAddress } from './address.js';
import { ConnectError, ProtocolError, SyncobjError, TimeoutError, UsageError } from '../errors.js';
import { parseNodeMessage, type AdminRequest, type KvRequest, type NodeMessage } from '../wire/native/admin-messages.js';
import { clientHandshake, type NativeChannel } from '../wire/native/index.js';
import { formatSeconds } from '../seconds.js';
import { openSocket } from './socket-errors.js';

export type RequestBody = Omit<AdminRequest, 'id'> | Omit<KvRequest, 'id'>;

export class NativeConnection {
  #nextId = 1;
  #waiting = new Map<number, { resolve: (m: NodeMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #failure: Error | null = null;

  private constructor(
    readonly address: string,
    private readonly channel: NativeChannel,
  ) {
    channel.on('message', (raw: unknown) => {
      const message = parseNodeMessage(raw);
      const waiter = message ? this.#waiting.get(message.id) : undefined;
      if (!message || !waiter) return this.#fail(new ProtocolError(`${address} sent a native message that answers no request`));
      this.#waiting.delete(message.id);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    });
    channel.on('error', (err: Error) => this.#fail(err instanceof SyncobjError ? err : new ProtocolError(`${address}: ${err.message}`)));
    channel.on('close', () => this.#fail(new ConnectError(`${address} closed the connection`)));
  }

  /** Connects, authenticates and says hello as a client; all within timeoutMs. */
  static async open(address: string, passwordKey: Uint8Array, timeoutMs: number): Promise<NativeConnection> {
    const parsed = parseAddress(address);
    if (!parsed) throw new UsageError(`'${address}' is not HOST:PORT`);
    const started = Date.now();
    const socket = await openSocket(parsed, timeoutMs, formatSeconds(timeoutMs));
    const channel = await clientHandshake(socket, { passwordKey, peer: address, timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) });
    channel.send({ t: 'hello', role: 'client' });
    return new NativeConnection(address, channel);
  }

  get closed(): boolean {
    return this.#failure !== null || this.channel.closed;
  }

  request(body: RequestBody, timeoutMs: number): Promise<NodeMessage> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new TimeoutError(`${this.address} did not answer within ${formatSeconds(timeoutMs)}`, 'reply'));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
      try {
        this.channel.send({ ...body, id });
      } catch (err) {
        this.#fail(err as Error);
      }
    });
  }

  close(): void {
    this.channel.destroy();
    this.#fail(new ConnectError(`the connection to ${this.address} was closed`));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      this.#waiting.delete(id);
      w.reject(this.#failure);
    }
  }
}

/** One admin request on a fresh connection; the reply as the node sent it. */
export async function adminRequest(
  address: string,
  passwordKey: Uint8Array,
  cmd: AdminRequest['cmd'],
  arg: string | number | undefined,
  timeoutMs: number,
): Promise<string | Record<string, unknown>> {
  const started = Date.now();
  const connection = await NativeConnection.open(address, passwordKey, timeoutMs);
  try {
    const reply = await connection.request({ t: 'admin', cmd, ...(arg !== undefined ? { arg } : {}) }, Math.max(1, timeoutMs - (Date.now() - started)));
    if (reply.t !== 'admin_reply') throw new ProtocolError(`${address} answered an admin request with a ${reply.t}`);
    return reply.reply;
  } finally {
    connection.close();
  }
}
