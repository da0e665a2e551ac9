// Starts one member: storage, Raft runtime, peer links and the shared port; stops it cleanly on a signal.

import { stat } from 'node:fs/promises';
import { SyncobjError } from '../errors.js';
import { parseRaftMessage, type NodeId } from '../raft/index.js';
import { deriveNativeKey } from '../wire/native/index.js';
import { derivePysyncobjKey } from '../wire/pysyncobj/index.js';
import { parseAddress } from '../client/address.js';
import { AdminService } from './admin-service.js';
import { DrainControl, startingMode } from './drain-control.js';
import { serveClient } from './client-session.js';
import { EventLog } from './event-log.js';
import type { NodeConfig } from './node-config.js';
import { NodeServer } from './node-server.js';
import { readPassword } from './password-source.js';
import { PeerLinks } from './peer-links.js';
import { RaftRuntime } from './raft-runtime.js';
import { NodeStorage, StorageError } from './storage/index.js';

/** How long SIGTERM waits for leadership to move before exiting anyway. */
const TRANSFER_ON_STOP_MS = 2000;
/** Below syncobj-admin's default 10 s, so its user sees our FAIL text rather than a client timeout. */
const REQUEST_TIMEOUT_MS = 8000;

/** A start-up failure worth one clear line and a non-zero exit, not a stack trace. */
export class StartupError extends Error {}

export interface RunningNode {
  /** Resolves with the exit code once the node stopped. */
  stopped: Promise<number>;
  stop(reason: string): Promise<void>;
}

export async function startNode(config: NodeConfig, env: NodeJS.ProcessEnv): Promise<RunningNode> {
  const log = new EventLog(config.self);
  const password = await readPassword(config.passwordFile, env, (text) => log.event('start', text));
  const keys = Promise.all([deriveNativeKey(password), password === null ? Promise.resolve(null) : derivePysyncobjKey(password)]);
  const listenOn = parseAddress(config.self)!;
  const server = new NodeServer({ host: listenOn.host, port: listenOn.port, log, handshakeTimeoutMs: 5000, maxUnauthenticated: 64 });
  // The port first: a member that cannot have it must not claim a fresh data dir (IDENTITY) on the way out.
  try {
    await server.listen();
  } catch (err) {
    throw new StartupError(`cannot listen on ${config.self}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let opened;
  try {
    opened = await NodeStorage.open({
      dir: config.dataDir,
      self: config.self,
      fsync: config.fsync,
      ...(config.faultDiskFullAfterBytes !== null ? { faults: { diskFullAfterBytes: config.faultDiskFullAfterBytes } } : {}),
    });
  } catch (err) {
    await server.close();
    throw new StartupError(err instanceof StorageError ? err.message : `cannot open data dir ${config.dataDir}: ${(err as Error).message}`);
  }
  const { storage, recovered } = opened;
  const mode = (await stat(config.dataDir)).mode & 0o777;
  if ((mode & 0o077) !== 0) log.event('start', `warning: data dir ${config.dataDir} is accessible to others (mode ${mode.toString(8)}); chmod 700 it`);
  for (const notice of recovered.notices) log.event('recovery', notice);
  const [nativeKey, pysyncobjKey] = await keys;

  const peers = new PeerLinks(config.self, nativeKey, log);
  const runtime = new RaftRuntime({
    self: config.self,
    voters: config.join ? [] : [config.self, ...config.partners],
    electionMode: startingMode(config.electionMode, recovered.drain),
    tickMs: config.tickMs,
    electionTicks: config.electionTicks,
    heartbeatTicks: config.heartbeatTicks,
    compactEvery: config.compactEvery,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    storage,
    recovered,
    log,
    send: (m) => peers.send(m),
  });
  const partners = (): NodeId[] => {
    const s = runtime.raft.status();
    const members = [...s.voters, ...s.learners].filter((id) => id !== config.self);
    return members.length > 0 || s.voters.includes(config.self) ? members : config.partners;
  };
  const drain = new DrainControl({ runtime, storage, configuredMode: config.electionMode, recovered: recovered.drain, log });
  const admin = new AdminService({
    runtime,
    drain,
    log,
    partners,
    isConnected: (peer) => peers.isConnected(peer),
  });
  server.serve({
    nativeKey,
    pysyncobjKey,
    admin,
    onPeer: (channel, from) => {
      channel.on('message', (raw: unknown) => {
        const body = raw as { t?: unknown; m?: unknown } | null;
        const message = body?.t === 'raft' ? parseRaftMessage(body.m, from) : null;
        if (message === null) {
          log.event('peer', `closed a peer connection from ${channel.peer}: it sent something that is not a Raft message`);
          channel.destroy();
          return;
        }
        try {
          runtime.step(message);
        } catch (err) {
          // A member that sends what the core cannot digest is cut off, not allowed to crash us.
          log.event('peer', `closed the connection from ${message.from}: its ${message.type} message failed: ${(err as Error).message}`);
          channel.destroy();
        }
      });
    },
    onClient: (channel) => serveClient(channel, admin, runtime),
  });
  const raft = runtime.raft.status();
  log.event(
    'start',
    `listening on ${config.self}; term ${raft.term}, ${recovered.entries.length} entries after snapshot ${raft.snapshotIndex}; ` +
      `voters ${raft.voters.join(',') || '(none yet: waiting to be added)'}; mode ${runtime.raft.mode}${recovered.drain ? ` (drained; configured ${config.electionMode})` : ''}; fsync ${config.fsync}; ` +
      `password ${password === null ? 'none' : 'set'}`,
  );
  peers.ensure(config.partners);
  runtime.start();
  // Links follow the membership: a removed member stops being dialled, a new one is dialled at once.
  const linkUpkeep = setInterval(() => {
    const members = new Set(partners());
    peers.ensure(members);
    peers.retain(members);
  }, 1000);

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log.event('stop', reason);
      const soft = runtime.raft.softState();
      if (config.transferOnStop && soft.role === 'leader' && runtime.raft.status().voters.length > 1) {
        const handed = await Promise.race([
          runtime.transfer('auto'),
          new Promise<null>((r) => setTimeout(() => r(null), TRANSFER_ON_STOP_MS).unref()),
        ]);
        if (handed === null) log.event('stop', `leadership did not move within ${TRANSFER_ON_STOP_MS} ms; exiting anyway`);
        else if (!handed.ok) log.event('stop', `could not hand leadership over: ${handed.reason}`);
        else log.event('stop', `handed leadership to ${handed.leader}`);
      }
      clearInterval(linkUpkeep);
      await runtime.stop();
      peers.close();
      await server.close();
      await storage.close();
      log.event('stop', 'stopped');
      resolveStopped(0);
    })();
    return stopping;
  };
  return { stopped, stop };
}

/** The member as a process: signals stop it; a second signal exits at once. */
export async function runNodeProcess(config: NodeConfig, env: NodeJS.ProcessEnv): Promise<number> {
  let node: RunningNode;
  try {
    node = await startNode(config, env);
  } catch (err) {
    if (err instanceof StartupError || err instanceof SyncobjError) {
      process.stderr.write(`syncobj-node: ${err.message}\n`);
      return err instanceof SyncobjError ? err.exitCode : 1;
    }
    throw err;
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(130);
    void node.stop(`${signal} received`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A parent holding an IPC channel to us (syncobj-node dev) owns our lifetime: when it exits, even
  // by SIGKILL, the channel closes and we stop as on SIGTERM (issue 11 item 5).
  const orphaned = (): void => void node.stop('the parent process exited');
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', orphaned);
  }
  const code = await node.stopped;
  process.off('disconnect', orphaned);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return code;
}
