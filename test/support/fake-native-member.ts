// A stand-in member on the native wire, without Raft: it completes the handshake (no password) on
// 127.0.0.1 and a free port, and hands every message to the test, with the channel to answer on and
// the number of the connection it came on (1 for the first accepted).
import { createServer, type Socket } from 'node:net';
import { deriveNativeKey, serverHandshake, type NativeChannel } from '../../src/wire/native/index.js';

export type FakeMessage = { t?: string; id?: number; op?: string; arg?: unknown; session?: unknown; seq?: unknown };

export interface FakeNativeMember {
  address: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops listening and destroys every connection. */
  close(): void;
}

export async function startFakeNativeMember(onMessage: (message: FakeMessage, channel: NativeChannel, connection: number) => void): Promise<FakeNativeMember> {
  const key = await deriveNativeKey(null);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const nth = ++connections;
    serverHandshake(socket, { passwordKey: key, timeoutMs: 2000 }).then(
      (channel) => {
        channel.on('error', () => undefined);
        channel.on('message', (raw: unknown) => onMessage(raw as FakeMessage, channel, nth));
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
