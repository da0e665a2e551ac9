// A handshaken native connection over a socket: send objects, receive them as 'message' events or by async iteration.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ProtocolError } from '../../errors.js';
import type { NativeSession } from './native-session.js';

/** Messages held for a slow consumer before the socket is paused (TCP then pushes back on the peer). */
const PAUSE_AT_QUEUED_MESSAGES = 256;

/**
 * Events: 'message' (decoded object), 'error' (ProtocolError for bytes that do not decode or fail
 * their MAC; the socket's own errors), 'close'. Messages that arrive before any 'message' listener
 * or iterator is attached are held, not dropped. An 'error' with no listener is kept in `error`
 * rather than thrown, so one bad peer cannot crash a node; the socket is destroyed either way.
 */
export class NativeChannel extends EventEmitter {
  readonly #socket: Socket;
  readonly #session: NativeSession;
  #backlog: unknown[] = [];
  #error: Error | undefined;
  #closed = false;
  /** Bodies sent in this event-loop turn; they leave together when it ends. */
  #outbox: Uint8Array[] = [];

  constructor(socket: Socket, session: NativeSession, readonly peer: string, leftover?: Uint8Array) {
    super();
    this.#socket = socket;
    this.#session = session;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => {
      this.#closed = true;
      this.emit('close');
    });
    this.on('newListener', (event) => {
      if (event === 'message') queueMicrotask(() => this.#flush());
    });
    if (leftover !== undefined) this.#receive(leftover);
    socket.resume();
  }

  /** The error that ended the channel, if one did. */
  get error(): Error | undefined {
    return this.#error;
  }

  get closed(): boolean {
    return this.#closed || this.#socket.destroyed;
  }

  /**
   * Queues one message; everything queued in this event-loop turn leaves at its end, in one write
   * and, where the peer reads batches, in as few sealed frames as fit (the socket has Nagle off, so
   * this is what keeps many small messages from costing a seal and a syscall each). Throws at once
   * for a message that can never fit a frame. False means the socket's buffer is full (wait for
   * 'drain' on the socket).
   */
  send(message: unknown): boolean {
    this.#assertOpen();
    return this.#queue(this.#session.encodeBody(message));
  }

  /** As `send`, for a message the caller encoded itself: exactly one msgpack value. */
  sendEncoded(body: Uint8Array): boolean {
    this.#assertOpen();
    return this.#queue(this.#session.checkBody(body));
  }

  #assertOpen(): void {
    if (this.closed || this.#socket.writableEnded) {
      throw new ProtocolError(`the native connection to ${this.peer} is closed; reconnect before sending`);
    }
  }

  #queue(body: Uint8Array): boolean {
    this.#outbox.push(body);
    if (this.#outbox.length === 1) setImmediate(() => this.#flushOutbox());
    return !this.#socket.writableNeedDrain;
  }

  #flushOutbox(): void {
    const bodies = this.#outbox;
    if (bodies.length === 0) return;
    this.#outbox = [];
    if (this.closed || this.#socket.writableEnded) return;
    const frames = this.#session.seal(bodies);
    if (frames.length === 1) {
      this.#socket.write(frames[0]!);
      return;
    }
    this.#socket.cork();
    for (const frame of frames) this.#socket.write(frame);
    this.#socket.uncork();
  }

  /** Ends the connection after pending writes; resolves once the socket closed. */
  close(): Promise<void> {
    this.#flushOutbox();
    if (this.#socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.end();
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown, void, undefined> {
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    let failure = this.#error;
    let done = this.closed;
    const onMessage = (message: unknown): void => {
      queue.push(message);
      if (queue.length >= PAUSE_AT_QUEUED_MESSAGES) this.#socket.pause();
      wake?.();
    };
    const onError = (err: Error): void => {
      failure = err;
      wake?.();
    };
    const onClose = (): void => {
      done = true;
      wake?.();
    };
    this.on('message', onMessage);
    this.on('error', onError);
    this.on('close', onClose);
    try {
      for (;;) {
        if (queue.length > 0) {
          const message = queue.shift();
          if (queue.length === 0 && !this.closed) this.#socket.resume();
          yield message;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.off('message', onMessage);
      this.off('error', onError);
      this.off('close', onClose);
    }
  }

  #receive(chunk: Uint8Array): void {
    if (this.#error !== undefined) return;
    let messages: unknown[];
    try {
      messages = this.#session.decode(chunk);
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    for (const message of messages) this.#backlog.push(message);
    this.#flush();
  }

  #flush(): void {
    while (this.#backlog.length > 0 && this.listenerCount('message') > 0) {
      this.emit('message', this.#backlog.shift());
    }
    if (this.#backlog.length >= PAUSE_AT_QUEUED_MESSAGES) this.#socket.pause();
  }

  #fail(err: Error): void {
    if (this.#error !== undefined) return;
    this.#error = err instanceof ProtocolError ? err : new ProtocolError(`native connection to ${this.peer} failed: ${err.message}`, { cause: err });
    this.#socket.destroy();
    if (this.listenerCount('error') > 0) this.emit('error', this.#error);
  }
}
