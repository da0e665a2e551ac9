// A syncobj-node cluster of real processes on loopback for end-to-end tests: start, kill, restart, inspect.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from '../fixtures/paths.js';
import { freePorts, ProcessGroup, stopProcess, waitFor } from '../support/processes.js';
import { adminRequest } from '../../src/client/native-connection.js';
import { KvClient } from 'syncobj-admin';
import { deriveNativeKey } from '../../src/wire/native/index.js';

export const NODE_BIN = join(repoRoot, 'bin', 'syncobj-node');

export type Status = Record<string, unknown>;

export interface ClusterOptions {
  password?: string;
  /** Extra flags for every member, or per member by index. */
  args?: string[];
  argsFor?: (index: number) => string[];
}

export class NodeCluster {
  readonly group = new ProcessGroup();
  readonly processes = new Map<string, ChildProcess>();
  #key: Promise<Uint8Array>;

  private constructor(
    readonly dir: string,
    readonly addresses: string[],
    readonly options: ClusterOptions,
    readonly passwordFile: string | null,
  ) {
    this.#key = deriveNativeKey(options.password ?? null);
  }

  /** Starts `size` members and waits for a leader they agree on. */
  static async start(size: number, options: ClusterOptions = {}): Promise<NodeCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'syncobj-e2e-'));
    const addresses = (await freePorts(size)).map((p) => `127.0.0.1:${p}`);
    let passwordFile: string | null = null;
    if (options.password !== undefined) {
      passwordFile = join(dir, 'password');
      await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    }
    const cluster = new NodeCluster(dir, addresses, options, passwordFile);
    try {
      addresses.forEach((a) => cluster.startMember(a));
      await cluster.waitForLeader();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  dataDir(address: string): string {
    return join(this.dir, address.replace(':', '_'));
  }

  /** Starts (or restarts) a member; `partners` defaults to the other initial members. */
  startMember(address: string, extra: string[] = [], partners = this.addresses.filter((a) => a !== address)): ChildProcess {
    const index = this.addresses.indexOf(address);
    const args = [
      NODE_BIN,
      '--self', address,
      '--partners', partners.join(','),
      '--data-dir', this.dataDir(address),
      ...(this.passwordFile ? ['--password-file', this.passwordFile] : []),
      ...(this.options.args ?? []),
      ...(index >= 0 && this.options.argsFor ? this.options.argsFor(index) : []),
      ...extra,
    ];
    const child = this.group.start(process.execPath, args);
    this.processes.set(address, child);
    return child;
  }

  async kill(address: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.processes.get(address);
    if (child) await stopProcess(child, signal);
  }

  logOf(address: string): string {
    const child = this.processes.get(address);
    return child ? (this.group.logs.get(child) ?? '') : '';
  }

  async key(): Promise<Uint8Array> {
    return this.#key;
  }

  async status(address: string, timeoutMs = 2000): Promise<Status> {
    const reply = await adminRequest(address, await this.#key, 'status', undefined, timeoutMs);
    if (typeof reply === 'string') throw new Error(`${address} answered status with '${reply}'`);
    return reply;
  }

  async admin(address: string, cmd: 'add' | 'remove' | 'transfer' | 'read_barrier' | 'set_version', arg?: string | number, timeoutMs = 15_000): Promise<unknown> {
    return adminRequest(address, await this.#key, cmd, arg, timeoutMs);
  }

  /** Waits until every given member that answers names the same leader, and that leader says it leads. */
  async waitForLeader(members = this.addresses, timeoutMs = 15_000): Promise<string> {
    return this.#leaderAmong(members, timeoutMs).catch((err: Error) => {
      // The members' own words are what explains a cluster that did not elect.
      const logs = members.map((a) => `--- ${a}\n${this.logOf(a).slice(-3000)}`).join('\n');
      throw new Error(`${err.message}\n${logs}`);
    });
  }

  #leaderAmong(members: string[], timeoutMs: number): Promise<string> {
    return waitFor(
      'a leader all members agree on',
      async () => {
        const statuses = await Promise.all(members.map((a) => this.status(a, 1000).catch(() => null)));
        const leaders = new Set(statuses.map((s) => s?.['leader'] ?? null));
        if (leaders.size !== 1) return null;
        const leader = [...leaders][0];
        if (typeof leader !== 'string') return null;
        const own = statuses[members.indexOf(leader)] ?? (await this.status(leader, 1000));
        return own['state'] === 2 && own['has_quorum'] === true ? leader : null;
      },
      timeoutMs,
      50,
    );
  }

  client(members = this.addresses, timeoutMs = 10_000): KvClient {
    return new KvClient({ members, password: this.options.password ?? null, timeoutMs });
  }

  async stop(): Promise<void> {
    await Promise.all(this.group.children.map((c) => stopProcess(c, 'SIGKILL')));
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Writes keys k<prefix><n> in a loop until stopped; returns the keys whose writes were acknowledged. */
export function writeLoop(client: KvClient, prefix: string, concurrency = 4): { stop: () => Promise<Map<string, string>>; failures: () => number } {
  const acked = new Map<string, string>();
  let running = true;
  let n = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const key = `${prefix}${n++}`;
      const value = `v${n}`;
      try {
        await client.set(key, value);
        acked.set(key, value);
      } catch {
        failures++;
        await sleep(20);
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return acked;
    },
    failures: () => failures,
  };
}
