// A stand-in for PySyncObj builds we cannot run here (for example a future release that answers
// 'status' but not 'transfer'), and for peers that misbehave: silent, slow, or sending garbage.
// Built on our own node-side session, so the bytes are the real wire's.

import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder, MessageCodec, PysyncobjServerSession, type PyValue } from '../../src/wire/pysyncobj/index.js';

export type FakeBehaviour = (request: PyValue) => PyValue | 'silent' | 'close';

export interface FakeNode {
  address: string;
  connections: number;
  close(): Promise<void>;
}

/** `port`: 0 for any free one; a given one for a member that starts listening late, where a client already looks for it. */
export async function startFakeNode(key: Uint8Array | null, behaviour: FakeBehaviour | 'accept-only' | { raw: Buffer }, port = 0): Promise<FakeNode> {
  const sockets = new Set<Socket>();
  const fake = { address: '', connections: 0, close: async () => undefined } as FakeNode;
  const server: Server = createServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (behaviour === 'accept-only') return;
    if ('raw' in behaviour) {
      socket.once('data', () => socket.write(behaviour.raw));
      return;
    }
    const session = new PysyncobjServerSession(new MessageCodec(key));
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const body of decoder.push(chunk)) {
          const step = session.receive(body);
          if ('send' in step) {
            socket.write(step.send);
            continue;
          }
          const answer = behaviour(step.request);
          if (answer === 'close') socket.destroy();
          else if (answer !== 'silent') socket.write(session.encodeReply(answer));
        }
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}
