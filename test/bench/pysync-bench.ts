// A real PySyncObj cluster for benchmarks: each member gets its own --bench-port (the shared
// startPysyncobjCluster passes the same extra arguments to every member, so it cannot), optionally a
// file journal, and members can be killed and restarted one by one.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/paths.js';
import { freePorts, ProcessGroup } from '../support/processes.js';
import { ourAdmin, PYTHON, statusField, waitForLeader, type PysyncobjCluster } from '../support/pysyncobj-cluster.js';
import type { LeaderTerm } from './util.js';

export class PyBenchCluster {
  readonly group = new ProcessGroup();
  readonly children = new Map<string, ChildProcess>();
  readonly dir = mkdtempSync(join(tmpdir(), 'syncobj-bench-py-'));
  readonly view: PysyncobjCluster;

  private constructor(
    readonly addresses: string[],
    readonly benchPorts: number[],
    readonly journal: boolean,
  ) {
    this.view = { addresses, group: this.group, password: null, stop: () => this.stop() };
  }

  static async start(size: number, options: { journal?: boolean } = {}): Promise<PyBenchCluster> {
    const ports = await freePorts(size * 2);
    const cluster = new PyBenchCluster(ports.slice(0, size).map((p) => `127.0.0.1:${p}`), ports.slice(size), options.journal ?? false);
    try {
      cluster.addresses.forEach((a) => cluster.startMember(a));
      await cluster.leader();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  benchPort(address: string): number {
    return this.benchPorts[this.addresses.indexOf(address)]!;
  }

  startMember(address: string): ChildProcess {
    const i = this.addresses.indexOf(address);
    const args = [
      join(repoRoot, 'test', 'interop', 'pysyncobj_node.py'),
      address,
      this.addresses.filter((a) => a !== address).join(','),
      '--bench-port', String(this.benchPorts[i]),
      ...(this.journal ? ['--journal', join(this.dir, `member${i}.journal`)] : []),
    ];
    const child = this.group.start(PYTHON, args);
    this.children.set(address, child);
    return child;
  }

  async kill(address: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(address);
    if (child) await this.group.stop(child, signal);
  }

  /** The leader every given member agrees on, and its term. */
  async leader(members = this.addresses, timeoutMs = 20_000): Promise<LeaderTerm> {
    const leader = await waitForLeader(this.view, members, timeoutMs);
    const term = Number(statusField(await ourAdmin(this.view, ['-conn', leader, '-status', '-timeout', '2']), 'raft_term'));
    return { leader, term };
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
