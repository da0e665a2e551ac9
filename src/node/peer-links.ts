// Outbound native connections to the other members, one per peer, reconnecting with backoff; Raft
// messages that find no open connection are dropped, which Raft tolerates by retrying.

import { connect } from 'node:net';
import { parseAddress } from '../client/address.js';
import type { Message, NodeId } from '../raft/index.js';
import { clientHandshake, type NativeChannel } from '../wire/native/index.js';
import type { EventLog } from './event-log.js';
import { RaftMessageEncoder } from './raft-message-encoder.js';

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1000;

class PeerLink {
  #channel: NativeChannel | null = null;
  #connecting = false;
  #closed = false;
  #backoffMs = MIN_BACKOFF_MS;
  #retry: NodeJS.Timeout | undefined;
  #failuresLogged = 0;

  constructor(
    readonly self: NodeId,
    readonly peer: NodeId,
    private readonly passwordKey: Uint8Array,
    private readonly log: EventLog,
  ) {
    this.#connect();
  }

  get connected(): boolean {
    return this.#channel !== null && !this.#channel.closed;
  }

  /** `encoded` is the message as RaftMessageEncoder wrote it, or null when the channel's codec must. */
  send(message: Message, encoded: Uint8Array | null): void {
    const channel = this.#channel;
    if (channel === null || channel.closed) return;
    try {
      if (encoded) channel.sendEncoded(encoded);
      else channel.send({ t: 'raft', m: message });
    } catch {
      channel.destroy();
    }
  }


  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#channel?.destroy();
    this.#channel = null;
  }

  #connect(): void {
    if (this.#closed || this.#connecting) return;
    const address = parseAddress(this.peer);
    if (!address) {
      this.log.event('peer', `cannot connect to ${this.peer}: not HOST:PORT`);
      return;
    }
    this.#connecting = true;
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    const onEarlyError = (): void => undefined;
    socket.on('error', onEarlyError);
    socket.once('connect', () => {
      clientHandshake(socket, { passwordKey: this.passwordKey, peer: this.peer, timeoutMs: 3000 }).then(
        (channel) => {
          socket.off('error', onEarlyError);
          this.#connecting = false;
          if (this.#closed) return channel.destroy();
          channel.on('error', () => undefined);
          channel.on('message', () => undefined);
          channel.on('close', () => this.#lost());
          channel.send({ t: 'hello', role: 'peer', from: this.self });
          this.#channel = channel;
          this.#backoffMs = MIN_BACKOFF_MS;
          if (this.#failuresLogged > 0) this.log.event('peer', `connected to ${this.peer}`);
          this.#failuresLogged = 0;
        },
        (err: Error) => {
          this.#connecting = false;
          if (this.#failuresLogged++ === 0 || err.name === 'HandshakeAuthError') this.log.event('peer', `cannot connect to ${this.peer}: ${err.message}`);
          this.#later();
        },
      );
    });
    socket.once('close', () => {
      if (this.#connecting) {
        this.#connecting = false;
        this.#later();
      }
    });
  }

  #lost(): void {
    this.#channel = null;
    if (this.#closed) return;
    this.log.event('peer', `lost the connection to ${this.peer}`);
    this.#failuresLogged = 1;
    this.#later();
  }

  #later(): void {
    if (this.#closed) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#connect(), this.#backoffMs);
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
  }
}

export class PeerLinks {
  #links = new Map<NodeId, PeerLink>();
  /** Shared by every link, so an append's entries are encoded once for all followers sent them. */
  readonly #encoder = new RaftMessageEncoder();

  constructor(
    readonly self: NodeId,
    private readonly passwordKey: Uint8Array,
    private readonly log: EventLog,
  ) {}

  /** Opens links now, so status shows peers as connected before any traffic. */
  ensure(peers: Iterable<NodeId>): void {
    for (const peer of peers) if (peer !== this.self) this.#link(peer);
  }

  send(message: Message): void {
    if (message.to === this.self) return;
    const link = this.#link(message.to);
    if (link.connected) link.send(message, this.#encoder.encode(message));
  }

  isConnected(peer: NodeId): boolean {
    return this.#links.get(peer)?.connected ?? false;
  }

  /** Closes links to members that left, keeping those still named. */
  retain(peers: ReadonlySet<NodeId>): void {
    for (const [peer, link] of this.#links) {
      if (!peers.has(peer)) {
        link.close();
        this.#links.delete(peer);
      }
    }
  }

  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
  }

  #link(peer: NodeId): PeerLink {
    let link = this.#links.get(peer);
    if (!link) {
      link = new PeerLink(this.self, peer, this.passwordKey, this.log);
      this.#links.set(peer, link);
    }
    return link;
  }
}
