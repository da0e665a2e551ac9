// The handshake as two socket-free state machines: feed them the peer's bytes, write what they return.

import { ProtocolError } from '../../errors.js';
import {
  CLIENT_FINISH_BYTES,
  CLIENT_FLAG_HAS_PASSWORD,
  FLAG_READS_BATCHES,
  CLIENT_HELLO_BYTES,
  NATIVE_MAGIC,
  NATIVE_VERSION,
  SERVER_FLAG_REQUIRES_PASSWORD,
  SERVER_FLAG_VERSION_REJECTED,
  SERVER_HELLO_BYTES,
  SERVER_HELLO_PREFIX_BYTES,
} from './constants.js';
import { HandshakeAuthError } from './errors.js';
import { loadNacl, type Nacl } from './lazy-deps.js';
import { MessageCodec } from './message-codec.js';
import { NativeSession } from './native-session.js';
import { isEmptyPasswordKey } from './password-key.js';
import { EphemeralKeyPair } from './x25519.js';
import { computeClientProof, computeServerProof, deriveSessionKeys, proofsEqual, type SessionKeys } from './session-keys.js';

export interface HandshakeOptions {
  /** From deriveNativeKey(password); deriveNativeKey(null) when no password is configured. */
  passwordKey: Uint8Array;
  /** How the peer is named in errors, e.g. "10.0.0.2:4321"; a function is asked once bytes arrive, when a socket knows its remote address. */
  peer: string | (() => string);
  maxFrameBytes?: number;
}

/** What a state machine hands back after each chunk. */
export interface HandshakeStep {
  /** Bytes to write to the peer now, if any. */
  send?: Uint8Array;
  /** Set once the handshake is complete. */
  session?: NativeSession;
  /** Bytes received after the handshake: the first frames; feed them to `session.decode`. */
  leftover?: Uint8Array;
  /** Write `send`, then end the connection with this error (the server refusing the client's version). */
  fail?: Error;
}

/** Accumulates bytes until a fixed-size handshake message is complete. */
class ByteCollector {
  #buffer = new Uint8Array(0);
  push(chunk: Uint8Array): void {
    const next = new Uint8Array(this.#buffer.length + chunk.length);
    next.set(this.#buffer);
    next.set(chunk, this.#buffer.length);
    this.#buffer = next;
  }
  get length(): number {
    return this.#buffer.length;
  }
  peek(n: number): Uint8Array {
    return this.#buffer.subarray(0, n);
  }
  take(n: number): Uint8Array {
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}

function nameOf(peer: string | (() => string)): string {
  return typeof peer === 'string' ? peer : peer();
}

function hasMagic(bytes: Uint8Array): boolean {
  for (let i = 0; i < NATIVE_MAGIC.length; i++) if (bytes[i] !== NATIVE_MAGIC[i]) return false;
  return true;
}

export class ClientHandshake {
  readonly hello: Uint8Array;
  readonly #collector = new ByteCollector();
  #done = false;

  private constructor(
    private readonly nacl: Nacl,
    private readonly codec: MessageCodec,
    private readonly keyPair: EphemeralKeyPair,
    private readonly options: HandshakeOptions,
    private readonly hasPassword: boolean,
  ) {
    this.hello = new Uint8Array(CLIENT_HELLO_BYTES);
    this.hello.set(NATIVE_MAGIC, 0);
    this.hello[4] = NATIVE_VERSION;
    this.hello[5] = (hasPassword ? CLIENT_FLAG_HAS_PASSWORD : 0) | FLAG_READS_BATCHES;
    this.hello.set(keyPair.publicKey, 6);
  }

  /** Makes a fresh ephemeral key pair; write `hello` first. */
  static async start(options: HandshakeOptions): Promise<ClientHandshake> {
    const [nacl, codec] = await Promise.all([loadNacl(), MessageCodec.create()]);
    return new ClientHandshake(nacl, codec, EphemeralKeyPair.generate(), options, !isEmptyPasswordKey(options.passwordKey));
  }

  /** Feeds the server's bytes. Throws HandshakeAuthError or ProtocolError; nothing is sent before the server proved the password. */
  receive(chunk: Uint8Array): HandshakeStep {
    if (this.#done) throw new ProtocolError('the client handshake already finished');
    this.#collector.push(chunk);
    const peer = nameOf(this.options.peer);
    if (this.#collector.length >= 4 && !hasMagic(this.#collector.peek(4))) {
      throw new ProtocolError(`${peer} did not answer with a native-wire hello; is it a syncobj-node with the native wire enabled?`);
    }
    if (this.#collector.length >= 6) {
      const head = this.#collector.peek(6);
      if (head[5]! & SERVER_FLAG_VERSION_REJECTED || head[4] !== NATIVE_VERSION) {
        throw new ProtocolError(
          `${peer} speaks native wire version ${head[4]}, this client speaks version ${NATIVE_VERSION}; upgrade the older side`,
        );
      }
    }
    if (this.#collector.length < SERVER_HELLO_BYTES) return {};
    const serverHello = this.#collector.take(SERVER_HELLO_BYTES);
    this.#done = true;
    const serverRequiresPassword = (serverHello[5]! & SERVER_FLAG_REQUIRES_PASSWORD) !== 0;
    const serverPublic = serverHello.subarray(6, 38);
    const keys = deriveSessionKeys(
      this.keyPair.sharedSecret(serverPublic, peer),
      this.options.passwordKey,
      this.hello,
      serverHello.subarray(0, SERVER_HELLO_PREFIX_BYTES),
    );
    const serverProof = serverHello.subarray(SERVER_HELLO_PREFIX_BYTES, SERVER_HELLO_BYTES);
    if (!proofsEqual(serverProof, computeServerProof(keys))) {
      throw this.#mismatch(serverRequiresPassword);
    }
    const finish = computeClientProof(keys, serverProof);
    const session = new NativeSession(this.nacl, this.codec, {
      sendKey: keys.clientToServer,
      receiveKey: keys.serverToClient,
      maxFrameBytes: this.options.maxFrameBytes,
      batched: (this.hello[5]! & serverHello[5]! & FLAG_READS_BATCHES) !== 0,
    });
    const leftover = this.#collector.take(this.#collector.length);
    return { send: finish, session, ...(leftover.length > 0 ? { leftover } : {}) };
  }

  // The server's flag only chooses the wording: the connection fails either way, so a forged flag gains nothing.
  #mismatch(serverRequiresPassword: boolean): Error {
    const peer = nameOf(this.options.peer);
    if (serverRequiresPassword && !this.hasPassword) {
      return new HandshakeAuthError(`${peer} requires a password and none was given; pass the cluster password`, 'password-required');
    }
    if (!serverRequiresPassword && this.hasPassword) {
      return new HandshakeAuthError(
        `${peer} has no password configured but a password was given; connect without a password or set the node's password`,
        'password-not-expected',
      );
    }
    if (this.hasPassword) {
      return new HandshakeAuthError(
        `wrong password for ${peer}: the node's proof does not match the given password (or its answer was replayed from another session); check the cluster password`,
        'wrong-password',
      );
    }
    return new ProtocolError(
      `the handshake proof from ${peer} does not verify although neither side uses a password; the connection was altered or the peer is not a syncobj node`,
    );
  }
}

export class ServerHandshake {
  readonly #collector = new ByteCollector();
  #keys: SessionKeys | undefined;
  #serverProof: Uint8Array | undefined;
  #clientHasPassword = false;
  #clientReadsBatches = false;
  #done = false;

  private constructor(
    private readonly nacl: Nacl,
    private readonly codec: MessageCodec,
    private readonly options: HandshakeOptions,
    private readonly requiresPassword: boolean,
  ) {}

  static async start(options: HandshakeOptions): Promise<ServerHandshake> {
    const [nacl, codec] = await Promise.all([loadNacl(), MessageCodec.create()]);
    return new ServerHandshake(nacl, codec, options, !isEmptyPasswordKey(options.passwordKey));
  }

  /** Whether the client said it has a password: lets the server word why a client gave up. */
  get clientHasPassword(): boolean {
    return this.#clientHasPassword;
  }

  /** Feeds the client's bytes. Throws HandshakeAuthError if the client proves another password, ProtocolError on bad bytes. */
  receive(chunk: Uint8Array): HandshakeStep {
    if (this.#done) throw new ProtocolError('the server handshake already finished');
    this.#collector.push(chunk);
    const peer = nameOf(this.options.peer);
    if (this.#keys === undefined) {
      if (this.#collector.length >= 4 && !hasMagic(this.#collector.peek(4))) {
        throw new ProtocolError(`client ${peer} did not start with a native-wire hello`);
      }
      if (this.#collector.length >= 5 && this.#collector.peek(5)[4] !== NATIVE_VERSION) {
        const version = this.#collector.peek(5)[4];
        this.#done = true;
        const reject = Uint8Array.of(...NATIVE_MAGIC, NATIVE_VERSION, SERVER_FLAG_VERSION_REJECTED);
        const error = new ProtocolError(
          `client ${peer} speaks native wire version ${version}, this node speaks version ${NATIVE_VERSION}`,
        );
        return { send: reject, fail: error };
      }
      if (this.#collector.length < CLIENT_HELLO_BYTES) return {};
      const clientHello = this.#collector.take(CLIENT_HELLO_BYTES);
      this.#clientHasPassword = (clientHello[5]! & CLIENT_FLAG_HAS_PASSWORD) !== 0;
      this.#clientReadsBatches = (clientHello[5]! & FLAG_READS_BATCHES) !== 0;
      const keyPair = EphemeralKeyPair.generate();
      const serverHello = new Uint8Array(SERVER_HELLO_BYTES);
      serverHello.set(NATIVE_MAGIC, 0);
      serverHello[4] = NATIVE_VERSION;
      serverHello[5] = (this.requiresPassword ? SERVER_FLAG_REQUIRES_PASSWORD : 0) | FLAG_READS_BATCHES;
      serverHello.set(keyPair.publicKey, 6);
      this.#keys = deriveSessionKeys(
        keyPair.sharedSecret(clientHello.subarray(6, 38), `client ${peer}`),
        this.options.passwordKey,
        clientHello,
        serverHello.subarray(0, SERVER_HELLO_PREFIX_BYTES),
      );
      this.#serverProof = computeServerProof(this.#keys);
      serverHello.set(this.#serverProof, SERVER_HELLO_PREFIX_BYTES);
      const more = this.#collector.length >= CLIENT_FINISH_BYTES ? this.receive(new Uint8Array(0)) : {};
      return { send: serverHello, ...more };
    }
    if (this.#collector.length < CLIENT_FINISH_BYTES) return {};
    this.#done = true;
    const finish = this.#collector.take(CLIENT_FINISH_BYTES);
    if (!proofsEqual(finish, computeClientProof(this.#keys, this.#serverProof!))) {
      if (this.requiresPassword !== this.#clientHasPassword) throw this.#flagMismatch('its proof does not verify');
      throw new HandshakeAuthError(
        `client ${peer} proved a different password (or replayed an old session); connection refused`,
        'wrong-password',
      );
    }
    const session = new NativeSession(this.nacl, this.codec, {
      sendKey: this.#keys.serverToClient,
      receiveKey: this.#keys.clientToServer,
      maxFrameBytes: this.options.maxFrameBytes,
      batched: this.#clientReadsBatches,
    });
    const leftover = this.#collector.take(this.#collector.length);
    return { session, ...(leftover.length > 0 ? { leftover } : {}) };
  }

  /** The error to report when the client hung up mid-handshake: its flag tells a password mismatch from a plain disconnect. */
  explainClientClose(): Error {
    if (this.#keys !== undefined && this.requiresPassword !== this.#clientHasPassword) return this.#flagMismatch('it gave up');
    const peer = nameOf(this.options.peer);
    const when = this.#keys === undefined ? 'before its hello was complete' : 'after this node proved its password (a different password?)';
    return new ProtocolError(`client ${peer} closed the connection during the native handshake, ${when}`);
  }

  #flagMismatch(outcome: string): HandshakeAuthError {
    const peer = nameOf(this.options.peer);
    return this.requiresPassword
      ? new HandshakeAuthError(`client ${peer} has no password but this node requires one; ${outcome}`, 'password-required')
      : new HandshakeAuthError(`client ${peer} has a password but this node has none configured; ${outcome}`, 'password-not-expected');
  }
}
