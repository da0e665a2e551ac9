// Real syncobj-node members on loopback with a LinkProxy on every directed link between them, and the
// process-level faults: kill, pause, graceful stop, restart (optionally with a disk that fills up).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { freePorts, ProcessGroup } from '../support/processes.js';
import { NODE_BIN } from '../support/node-cluster.js';
import { adminRequest } from '../../src/client/native-connection.js';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import type { Prng } from '../sim/prng.js';
import { DIAL_MAP_ENV } from './dial-redirect.js';
import { LinkProxy } from './link-proxy.js';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./dial-redirect.js', import.meta.url))).href;

export interface ChaosClusterOptions {
  size: number;
  fsync: 'always' | 'never';
  /** Extra syncobj-node flags for every member. */
  extraArgs?: string[];
  /** The syncobj-node launcher to run (default: the repository's). */
  nodeBin?: string;
  log: (line: string) => void;
}

export interface UnexpectedExit {
  address: string;
  code: number | null;
  signal: string | null;
  logTail: string;
}

export class ChaosCluster {
  readonly group = new ProcessGroup();
  readonly dir = mkdtempSync(join(tmpdir(), 'syncobj-chaos-'));
  readonly children = new Map<string, ChildProcess>();
  /** links.get(from)!.get(to) carries from's messages to `to`. */
  readonly links = new Map<string, Map<string, LinkProxy>>();
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly #expectedExit = new Set<ChildProcess>();
  readonly #paused = new Set<string>();
  readonly #key = deriveNativeKey(null);

  private constructor(
    readonly addresses: string[],
    readonly options: ChaosClusterOptions,
  ) {}

  static async start(options: ChaosClusterOptions, random: Prng): Promise<ChaosCluster> {
    const ports = await freePorts(options.size);
    const cluster = new ChaosCluster(ports.map((p) => `127.0.0.1:${p}`), options);
    try {
      for (const from of cluster.addresses) {
        const row = new Map<string, LinkProxy>();
        for (const to of cluster.addresses) {
          if (to === from) continue;
          const proxy = new LinkProxy(`${from}->${to}`, { host: '127.0.0.1', port: Number(to.split(':')[1]) }, random.fork());
          await proxy.listen();
          row.set(to, proxy);
        }
        cluster.links.set(from, row);
      }
      for (const a of cluster.addresses) cluster.startMember(a);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get allLinks(): LinkProxy[] {
    return [...this.links.values()].flatMap((row) => [...row.values()]);
  }

  link(from: string, to: string): LinkProxy {
    return this.links.get(from)!.get(to)!;
  }

  isRunning(address: string): boolean {
    const child = this.children.get(address);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  startMember(address: string, extraArgs: string[] = []): ChildProcess {
    const dial: Record<string, string> = {};
    for (const [to, proxy] of this.links.get(address)!) dial[to] = `127.0.0.1:${proxy.port}`;
    const args = [
      '--import', PRELOAD,
      this.options.nodeBin ?? NODE_BIN,
      '--self', address,
      '--partners', this.addresses.filter((a) => a !== address).join(','),
      '--data-dir', join(this.dir, address.replace(':', '_')),
      '--fsync', this.options.fsync,
      ...(this.options.extraArgs ?? []),
      ...extraArgs,
    ];
    const child = this.group.start(process.execPath, args, { env: { ...process.env, [DIAL_MAP_ENV]: JSON.stringify(dial) } });
    this.children.set(address, child);
    child.once('exit', (code, signal) => {
      if (this.#expectedExit.has(child)) return;
      const logTail = (this.group.logs.get(child) ?? '').split('\n').slice(-15).join('\n');
      this.unexpectedExits.push({ address, code, signal, logTail });
      this.options.log(`member ${address} exited on its own (code ${code}, signal ${signal}):\n${logTail}`);
    });
    return child;
  }

  /** Sends a signal; SIGKILL and SIGTERM wait for the exit. */
  async signal(address: string, signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const child = this.children.get(address);
    if (!child || child.pid === undefined || !this.isRunning(address)) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      process.kill(child.pid, signal);
      if (signal === 'SIGSTOP') this.#paused.add(address);
      else this.#paused.delete(address);
      return;
    }
    this.#expectedExit.add(child);
    if (this.#paused.has(address)) {
      process.kill(child.pid, 'SIGCONT');
      this.#paused.delete(address);
    }
    await this.group.stop(child, signal);
    if (this.isRunning(address)) await this.group.stop(child, 'SIGKILL');
  }

  async restart(address: string, extraArgs: string[] = []): Promise<void> {
    await this.signal(address, 'SIGKILL');
    this.startMember(address, extraArgs);
  }

  /** Every link passes, every member runs unpaused with its normal flags (restarting those that do not). */
  async heal(normalFlags: Set<string>): Promise<void> {
    for (const link of this.allLinks) link.set({ kind: 'pass' });
    for (const address of this.#paused) {
      const child = this.children.get(address);
      if (child?.pid !== undefined && this.isRunning(address)) process.kill(child.pid, 'SIGCONT');
    }
    this.#paused.clear();
    for (const address of this.addresses) {
      if (!this.isRunning(address) || !normalFlags.has(address)) {
        await this.restart(address);
        normalFlags.add(address);
      }
    }
  }

  /** The status of one member over the native wire, or null. */
  async status(address: string, timeoutMs = 1500): Promise<Record<string, unknown> | null> {
    try {
      const reply = await adminRequest(address, await this.#key, 'status', undefined, timeoutMs);
      return typeof reply === 'object' ? reply : null;
    } catch {
      return null;
    }
  }

  /** A member that says it leads, if one answers. */
  async leader(): Promise<string | null> {
    const statuses = await Promise.all(this.addresses.map((a) => (this.isRunning(a) && !this.#paused.has(a) ? this.status(a) : null)));
    for (let i = 0; i < statuses.length; i++) if (statuses[i]?.['state'] === 2) return this.addresses[i]!;
    return null;
  }

  logOf(address: string): string {
    const child = this.children.get(address);
    return child ? (this.group.logs.get(child) ?? '') : '';
  }

  async stop(keepDir = false): Promise<void> {
    for (const child of this.group.children) this.#expectedExit.add(child);
    for (const address of this.#paused) {
      const child = this.children.get(address);
      if (child?.pid !== undefined && this.isRunning(address)) process.kill(child.pid, 'SIGCONT');
    }
    await this.group.stopAll();
    await Promise.all(this.allLinks.map((l) => l.close()));
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
