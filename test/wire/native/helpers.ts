// Test helpers for the native wire: loopback socket pairs and in-memory handshakes.

import net from 'node:net';
import { ClientHandshake, ServerHandshake, type NativeSession } from '../../../src/wire/native/index.js';

/** A connected client/server socket pair on 127.0.0.1 with an OS-chosen port; the server side is the client's own connection. */
export async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; port: number; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  let server: net.Socket;
  try {
    server = await acceptedFrom(listener, client);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    listener.close();
  }
  return {
    client,
    server,
    port,
    close() {
      client.destroy();
      server.destroy();
    },
  };
}

/**
 * The connection `listener` accepted from `client`, matched by the client's own port: another test's
 * member that still dials a port the OS has since handed to this listener is turned away.
 */
function acceptedFrom(listener: net.Server, client: net.Socket): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    // Listening starts now, before the client connects: the server side may accept first.
    const seen: net.Socket[] = [];
    const port = (listener.address() as net.AddressInfo).port;
    const timer = setTimeout(() => finish(new Error(`the listener on ${port} did not accept the test's own connection within 5 s`)), 5000);
    const mine = (socket: net.Socket) => !client.connecting && socket.remotePort === client.localPort;
    function finish(result: net.Socket | Error): void {
      clearTimeout(timer);
      listener.off('connection', onConnection);
      client.off('connect', onConnect);
      client.off('error', finish);
      for (const socket of seen) if (socket !== result) socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    function onConnection(socket: net.Socket): void {
      seen.push(socket);
      if (mine(socket)) finish(socket);
    }
    function onConnect(): void {
      const found = seen.find(mine);
      if (found) finish(found);
    }
    listener.on('connection', onConnection);
    client.once('connect', onConnect);
    client.once('error', finish);
  });
}

/** A server socket with no client handshake: the test drives the client side by hand, and `accept` finds its connection. */
export async function listenOnce(): Promise<{ port: number; accept(client: net.Socket): Promise<net.Socket>; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const accept = async (client: net.Socket): Promise<net.Socket> => {
    const mine = await acceptedFrom(listener, client);
    // The listener stays open for the test: whoever else dials it later is turned away too.
    listener.on('connection', (socket) => socket.destroy());
    return mine;
  };
  return { port, accept, close: () => listener.close() };
}

export interface Transcript {
  client: NativeSession;
  server: NativeSession;
  /** Every byte the client sent, in order: hello, then proof. */
  clientBytes: Uint8Array[];
  /** Every byte the server sent: its hello. */
  serverBytes: Uint8Array[];
}

/** Runs a whole handshake in memory and returns both sessions and what each side wrote. */
export async function handshakeInMemory(clientKey: Uint8Array, serverKey: Uint8Array): Promise<Transcript> {
  const client = await ClientHandshake.start({ passwordKey: clientKey, peer: 'server' });
  const server = await ServerHandshake.start({ passwordKey: serverKey, peer: 'client' });
  const clientBytes = [client.hello];
  const serverHello = server.receive(client.hello);
  const serverBytes = [serverHello.send!];
  const clientDone = client.receive(serverHello.send!);
  clientBytes.push(clientDone.send!);
  const serverDone = server.receive(clientDone.send!);
  return { client: clientDone.session!, server: serverDone.session!, clientBytes, serverBytes };
}

export function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
