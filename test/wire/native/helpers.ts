// Test helpers for the native wire: loopback socket pairs and in-memory handshakes.

import net from 'node:net';
import { ClientHandshake, ServerHandshake, type NativeSession } from '../../../src/wire/native/index.js';

/** A connected client/server socket pair on 127.0.0.1 with an OS-chosen port. */
export async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; port: number; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  listener.close();
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

/** A server socket with no client handshake: the test drives `raw` (the client side) by hand. */
export async function listenOnce(): Promise<{ port: number; accepted: Promise<net.Socket>; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  return { port, accepted, close: () => listener.close() };
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
