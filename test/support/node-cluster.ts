// A local cluster of real syncobj-node processes on loopback, for end-to-end tests, benchmarks and
// chaos runs. Two faces: the native one (status, admin, KvClient, in this process) and the bin one
// (cli, kv: the commands a user runs).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { KvClient } from 'syncobj-admin';
import { adminRequest } from '../../src/client/native-connection.js';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import { repoRoot } from '../fixtures/paths.js';
import { freePorts, ProcessGroup, run, waitFor, type RunResult } from './processes.js';

export const NODE_BIN = join(repoRoot, 'bin', 'syncobj-node');
export const ADMIN_BIN = join(repoRoot, 'bin', 'syncobj-admin');

export type Status = Record<string, unknown>;

export interface NodeClusterOptions {
  password?: string;
  /** Election mode per member, by position; candidate when absent. */
  modes?: ('candidate' | 'voter' | 'manual')[];
  /** Passed as --fsync when given; the node's own default (always) otherwise. */
  fsync?: 'always' | 'never';
  /** Extra flags for every member. */
  extraArgs?: string[];
  /** Extra flags for one member, by its position in `addresses`. */
  argsFor?: (index: number) => string[];
}

export class NodeCluster {
  readonly group = new ProcessGroup();
  readonly children = new Map<string, ChildProcess>();
  readonly dir = mkdtempSync(join(tmpdir(), 'syncobj-e2e-'));
  readonly passwordFile: string | null;
  readonly #key: Promise<Uint8Array>;

  constructor(
    readonly addresses: string[],
    readonly options: NodeClusterOptions = {},
  ) {
    this.passwordFile = options.password !== undefined ? join(this.dir, 'password') : null;
    if (this.passwordFile) writeFileSync(this.passwordFile, `${options.password}\n`, { mode: 0o600 });
    this.#key = deriveNativeKey(options.password ?? null);
  }

  /** Starts `size` members and waits for a leader they agree on. */
  static async start(size: number, options: NodeClusterOptions = {}): Promise<NodeCluster> {
    const cluster = new NodeCluster((await freePorts(size)).map((p) => `127.0.0.1:${p}`), options);
    try {
      cluster.addresses.forEach((a) => cluster.startMember(a));
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
      ...(this.options.fsync ? ['--fsync', this.options.fsync] : []),
      ...(index >= 0 && this.options.modes?.[index] ? ['--election-mode', this.options.modes[index]!] : []),
      ...(this.passwordFile ? ['--password-file', this.passwordFile] : []),
      ...(this.options.extraArgs ?? []),
      ...(index >= 0 && this.options.argsFor ? this.options.argsFor(index) : []),
      ...extra,
    ];
    const child = this.group.start(process.execPath, args);
    this.children.set(address, child);
    return child;
  }

  async kill(address: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(address);
    if (child) await this.group.stop(child, signal);
  }

  logOf(address: string): string {
    const child = this.children.get(address);
    return child ? (this.group.logs.get(child) ?? '') : '';
  }

  key(): Promise<Uint8Array> {
    return this.#key;
  }

  /** A member's status over the native wire, in this process; throws when it does not answer. */
  async status(address: string, timeoutMs = 2000): Promise<Status> {
    const reply = await adminRequest(address, await this.#key, 'status', undefined, timeoutMs);
    if (typeof reply === 'string') throw new Error(`${address} answered status with '${reply}'`);
    return reply;
  }

  /** One admin command over the native wire, in this process. */
  async admin(address: string, cmd: 'add' | 'remove' | 'transfer' | 'read_barrier' | 'set_version', arg?: string | number, timeoutMs = 15_000): Promise<unknown> {
    return adminRequest(address, await this.#key, cmd, arg, timeoutMs);
  }

  /** Runs the syncobj-admin bin, with the cluster's password file. */
  cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
    const pass = this.passwordFile ? ['-pass-file', this.passwordFile] : [];
    return run(process.execPath, [ADMIN_BIN, ...args, ...pass], { env, timeoutMs: 30_000 });
  }

  /** A member's status as `syncobj-admin -status -json` prints it; null when it does not answer. */
  async cliStatus(address: string): Promise<Status | null> {
    const r = await this.cli(['-conn', address, '-status', '-json', '-timeout', '2']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Status) : null;
  }

  /** Runs `syncobj-node kv` against every member, with the cluster's password file. */
  kv(args: string[]): Promise<RunResult> {
    const pass = this.passwordFile ? ['--password-file', this.passwordFile] : [];
    return run(process.execPath, [NODE_BIN, 'kv', ...args, '--conn', this.addresses.join(','), ...pass], { timeoutMs: 30_000 });
  }

  /** Waits until every given member that answers names the same leader, and that leader says it leads with a quorum. */
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
        const own = statuses[members.indexOf(leader)] ?? (await this.status(leader, 1000).catch(() => null));
        return own?.['state'] === 2 && own['has_quorum'] === true ? leader : null;
      },
      timeoutMs,
      50,
    );
  }

  client(members = this.addresses, timeoutMs = 10_000): KvClient {
    return new KvClient({ members, password: this.options.password ?? null, timeoutMs });
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
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
