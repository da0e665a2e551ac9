// `syncobj-node dev`: a throwaway local cluster of child processes on free loopback ports, and with
// --demo a scripted tour of it with the real syncobj-admin.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { deriveNativeKey } from '../wire/native/index.js';
import { adminRequest } from '../client/native-connection.js';
import { scanFlags } from './node-config.js';
import { readPassword } from './password-source.js';

/** From dist/src/node/ back to the repository's launchers. */
const NODE_BIN = fileURLToPath(new URL('../../../bin/syncobj-node', import.meta.url));
const ADMIN_BIN = fileURLToPath(new URL('../../../bin/syncobj-admin', import.meta.url));
const JANITOR = fileURLToPath(new URL('./dev-janitor.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Member {
  address: string;
  child: ChildProcess;
}

export async function runDevCluster(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { flags } = scanFlags(argv, new Set(['demo', 'help', 'h']), new Set(['nodes', 'password-file']));
  if (flags.has('help') || flags.has('h')) {
    process.stdout.write('Usage: syncobj-node dev [--nodes N] [--demo] [--password-file FILE]\n');
    return 0;
  }
  const count = Number(flags.get('nodes') ?? '3');
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new UsageError(`--nodes must be 1..9, got '${flags.get('nodes')}'`);
  const demo = flags.has('demo');
  const password = await readPassword(flags.get('password-file') ?? null, env, (text) => process.stderr.write(`${text}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'syncobj-dev-'));
  process.stderr.write(`data in ${dir} (removed on exit)\n`);
  const members: Member[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    await Promise.all(
      members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.child.exitCode !== null || m.child.signalCode !== null || m.child.pid === undefined) return resolve();
            const kill = setTimeout(() => m.child.pid !== undefined && process.kill(m.child.pid, 'SIGKILL'), 5000);
            m.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            process.kill(m.child.pid, 'SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const interrupted = new Promise<number>((resolve) => {
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('stopping\n');
      void stopAll().then(() => resolve(0));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // A closed terminal: the same clean stop (issue 11 item 5).
    process.once('SIGHUP', onSignal);
  });
  try {
    const addresses: string[] = [];
    while (addresses.length < count) {
      const a = `127.0.0.1:${await freePort()}`;
      if (!addresses.includes(a)) addresses.push(a);
    }
    const childEnv = { ...env };
    const passwordArgs: string[] = [];
    if (password !== null) {
      const file = join(dir, 'password');
      await writeFile(file, password, { mode: 0o600 });
      passwordArgs.push('--password-file', file);
    }
    for (const [i, address] of addresses.entries()) {
      const args = [NODE_BIN, '--self', address, '--partners', addresses.filter((a) => a !== address).join(','), '--data-dir', join(dir, `node-${i + 1}`), ...passwordArgs];
      // In the demo the members' logs would drown the tour; otherwise they are the point. The IPC
      // channel ties each member's life to ours: it stops when the channel closes, even after a SIGKILL.
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', demo ? 'ignore' : 'inherit', 'ipc'], env: childEnv });
      child.channel?.unref();
      members.push({ address, child });
      process.stdout.write(`${address}\n`);
    }
    watchOver(dir, members);
    const key = await deriveNativeKey(password);
    const leader = await waitForLeader(addresses, key);
    if (stopping) return await interrupted;
    process.stdout.write('ready\n');
    if (!demo) return await interrupted;
    const ok = await tour(addresses, leader, password);
    stopping = true;
    await stopAll();
    return ok ? 0 : 1;
  } catch (err) {
    stopping = true;
    await stopAll();
    throw err;
  }
}

/** Starts the janitor, which removes `dir` once we are gone and the members have stopped. */
function watchOver(dir: string, members: Member[]): void {
  const pids = members.flatMap((m) => (m.child.pid === undefined ? [] : [String(m.child.pid)]));
  // Detached: a hangup of our terminal's process group must not take it down with us.
  const janitor = spawn(process.execPath, [JANITOR, dir, ...pids], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  janitor.unref();
  (janitor.stdin as Socket | null)?.unref();
}

async function waitForLeader(addresses: string[], key: Uint8Array): Promise<string> {
  const end = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < end) {
    for (const address of addresses) {
      const reply = await adminRequest(address, key, 'status', undefined, 1000).catch(() => null);
      if (reply !== null && typeof reply === 'object' && typeof reply['leader'] === 'string' && reply['has_quorum'] === true) return reply['leader'];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no leader was elected within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Runs each command as a user would type it and shows its output; false if one failed. */
async function tour(addresses: string[], leader: string, password: string | null): Promise<boolean> {
  const other = addresses.find((a) => a !== leader) ?? leader;
  const env = { ...process.env, ...(password !== null ? { SYNCOBJ_PASSWORD: password } : {}) };
  const steps: [string, string[]][] = [
    ['syncobj-admin', ['-conn', leader, '-status']],
    ['syncobj-node', ['kv', 'set', 'greeting', 'hello', '--conn', addresses.join(',')]],
    ['syncobj-node', ['kv', 'get', 'greeting', '--conn', other]],
    // One member has nobody to hand leadership to.
    ...(other !== leader ? [['syncobj-admin', ['-conn', leader, '-transfer', other]] as [string, string[]]] : []),
    ['syncobj-admin', ['-conn', other, '-health']],
  ];
  let ok = true;
  for (const [name, args] of steps) {
    process.stdout.write(`\n$ ${name} ${args.join(' ')}\n`);
    const bin = name === 'syncobj-admin' ? ADMIN_BIN : NODE_BIN;
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      process.stdout.write(`(exit ${code})\n`);
      ok = false;
    }
  }
  process.stdout.write('\n');
  return ok;
}
