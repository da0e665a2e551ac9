// A local cluster of real syncobj-node processes on loopback, for end-to-end tests and benchmarks.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from '../fixtures/paths.js';
import { freePorts, ProcessGroup, run, waitFor, type RunResult } from './processes.js';

export const NODE_BIN = join(repoRoot, 'bin', 'syncobj-node');
export const ADMIN_BIN = join(repoRoot, 'bin', 'syncobj-admin');

export interface NodeClusterOptions {
  password?: string;
  /** Election mode per member, by position; candidate when absent. */
  modes?: ('candidate' | 'voter' | 'manual')[];
  fsync?: 'always' | 'never';
  extraArgs?: string[];
}

export class NodeCluster {
  readonly group = new ProcessGroup();
  readonly children = new Map<string, ChildProcess>();
  readonly dir = mkdtempSync(join(tmpdir(), 'syncobj-e2e-'));
  readonly passwordFile: string | null;

  constructor(readonly addresses: string[], readonly options: NodeClusterOptions) {
    this.passwordFile = options.password ? join(this.dir, 'password') : null;
    if (this.passwordFile) writeFileSync(this.passwordFile, options.password + '\n', { mode: 0o600 });
  }

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

  startMember(address: string): ChildProcess {
    const i = this.addresses.indexOf(address);
    const args = [
      NODE_BIN,
      '--self', address,
      '--partners', this.addresses.filter((a) => a !== address).join(','),
      '--data-dir', join(this.dir, address.replace(':', '_')),
      '--fsync', this.options.fsync ?? 'never',
      '--election-mode', this.options.modes?.[i] ?? 'candidate',
      ...(this.passwordFile ? ['--password-file', this.passwordFile] : []),
      ...(this.options.extraArgs ?? []),
    ];
    const child = this.group.start(process.execPath, args);
    this.children.set(address, child);
    return child;
  }

  async kill(address: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(address);
    if (child) await this.group.stop(child, signal);
  }

  admin(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
    const pass = this.passwordFile ? ['-pass-file', this.passwordFile] : [];
    return run(process.execPath, [ADMIN_BIN, ...args, ...pass], { env, timeoutMs: 30_000 });
  }

  async status(address: string): Promise<Record<string, unknown> | null> {
    const r = await this.admin(['-conn', address, '-status', '-json', '-timeout', '2']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : null;
  }

  /** Waits until every live member names the same leader, and that leader says it leads. */
  async waitForLeader(timeoutMs = 20_000, members = this.addresses): Promise<string> {
    return waitFor('a syncobj-node leader', async () => {
      const statuses = await Promise.all(members.map((a) => this.status(a)));
      const leaders = statuses.map((s) => s?.['leader']);
      const leader = leaders[0];
      if (typeof leader !== 'string' || !leaders.every((l) => l === leader)) return null;
      const own = statuses[members.indexOf(leader)];
      return own === undefined || own?.['state'] === 2 ? leader : null;
    }, timeoutMs, 100);
  }

  kv(args: string[]): Promise<RunResult> {
    const pass = this.passwordFile ? ['--password-file', this.passwordFile] : [];
    return run(process.execPath, [NODE_BIN, 'kv', ...args, '--conn', this.addresses.join(','), ...pass], { timeoutMs: 30_000 });
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
