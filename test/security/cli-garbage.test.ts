// syncobj-admin (the real bin, as a process) against a tiny server that answers with garbage: a protocol
// error with exit code 4 on both wires, never a stack trace.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { deflateSync } from 'node:zlib';
import { ADMIN_BIN } from '../support/node-cluster.js';
import { run } from '../support/processes.js';
import { Prng } from '../sim/prng.js';
import { encodeFrame, MessageCodec } from '../../src/wire/pysyncobj/index.js';

const SEED = Number(process.env['HOSTILE_SEED'] ?? 7_340_021);
const random = new Prng(SEED);
const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => random.int(256)));

const osSystemPickle = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\n', 'latin1'), Buffer.from([0x58, 2, 0, 0, 0]), Buffer.from('id'), Buffer.from([0x85, 0x52, 0x2e])]);

/** What the garbage server writes once the client has sent its first bytes; then it ends the connection. */
const GARBAGE: Record<string, Buffer> = {
  'random bytes': randomBytes(200),
  'a 2 GiB declared length': Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0x7f]), randomBytes(64)]),
  'a frame that is not zlib': encodeFrame(randomBytes(40)),
  'a pickle naming os.system': encodeFrame(deflateSync(osSystemPickle)),
  'a status reply of the wrong type': new MessageCodec(null).encodeFrame(42),
  'a truncated frame': new MessageCodec(null).encodeFrame(['a', 'status', 'reply']).subarray(0, 9),
  'a native hello with a bad version': Buffer.concat([Buffer.from('SOBJ'), Buffer.from([99, 0]), randomBytes(64)]),
};

describe(`syncobj-admin against a server that sends garbage (seed ${SEED})`, { timeout: 120_000 }, () => {
  const servers = new Map<string, { server: Server; address: string }>();
  const sockets = new Set<Socket>();

  before(async () => {
    for (const [name, bytes] of Object.entries(GARBAGE)) {
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.once('data', () => socket.end(bytes));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      servers.set(name, { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` });
    }
  });
  after(() => {
    for (const s of sockets) s.destroy();
    for (const { server } of servers.values()) server.close();
  });

  for (const wire of ['auto', 'native'] as const) {
    for (const name of Object.keys(GARBAGE)) {
      test(`${name} (wire ${wire}): protocol error, exit 4, no stack trace`, async () => {
        const { address } = servers.get(name)!;
        const r = await run(process.execPath, [ADMIN_BIN, '-conn', address, '-status', '-wire', wire, '-timeout', '5'], { timeoutMs: 30_000 });
        const output = r.stdout + r.stderr;
        assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+/, `a stack trace:\n${output}`);
        assert.doesNotMatch(output, /internal error|TypeError|RangeError|SyntaxError/, output);
        assert.equal(r.code, 4, `exit ${r.code}:\n${output}`);
        assert.match(r.stderr, /protocol|decode|zlib|pickle|frame|hello|version|closed the connection|not a|unexpected|expected/i, r.stderr);
      });
    }
  }
});
