// Real Patroni Raft members (Debian's patroni_raft_controller, PySyncObj 0.3.11 underneath) on
// loopback with a password, one YAML file each in a private temp dir, stopped by pid.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePorts, ProcessGroup, run, stopProcess, waitFor, type RunResult } from './processes.js';
import { OUR_ADMIN, pysyncobjMissing, SYNCOBJ_ADMIN } from './pysyncobj-cluster.js';

export const PATRONI_RAFT_CONTROLLER = '/usr/bin/patroni_raft_controller';

/**
 * The skip option for Patroni suites: loud locally, a failure in CI (.ci/run installs patroni and
 * sets SYNCOBJ_REQUIRE_PYSYNCOBJ).
 */
export function patroniSkip(): string | false {
  const missing = pysyncobjMissing() ?? (existsSync(PATRONI_RAFT_CONTROLLER) ? null : `${PATRONI_RAFT_CONTROLLER} is missing`);
  if (!missing) return false;
  if (process.env['SYNCOBJ_REQUIRE_PYSYNCOBJ']) throw new Error(`Patroni interop tests must run here, but ${missing}: apt-get install -y patroni`);
  const why = `SKIPPED interop against real Patroni: ${missing} (apt-get install -y patroni)`;
  process.stderr.write(`\n*** ${why} ***\n\n`);
  return why;
}

export class PatroniCluster {
  readonly group = new ProcessGroup();
  readonly dir = mkdtempSync(join(tmpdir(), 'syncobj-patroni-'));
  readonly processes = new Map<string, ChildProcess>();

  /** `addresses`: the initial members; `spare`: addresses reserved for members a test adds later. */
  private constructor(readonly addresses: string[], readonly spare: string[], readonly password: string) {}

  static async start(size: number, options: { spare?: number; password?: string } = {}): Promise<PatroniCluster> {
    const all = (await freePorts(size + (options.spare ?? 0))).map((p) => `127.0.0.1:${p}`);
    const cluster = new PatroniCluster(all.slice(0, size), all.slice(size), options.password ?? 'patroni-raft-pw');
    try {
      for (const a of cluster.addresses) cluster.startMember(a);
      await cluster.waitForLeader();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The member's YAML file, as an operator would write it. */
  configFile(address: string): string {
    return join(this.dir, `${address.replace(':', '_')}.yml`);
  }

  dataDir(address: string): string {
    return join(this.dir, `${address.replace(':', '_')}.data`);
  }

  /** Writes the member's YAML (partners default to the other initial members) and starts it. */
  startMember(address: string, partners = this.addresses.filter((a) => a !== address)): ChildProcess {
    const yaml = [
      'log:',
      '  level: WARNING',
      'raft:',
      `  self_addr: '${address}'`,
      `  partner_addrs: [${partners.map((p) => `'${p}'`).join(', ')}]`,
      `  data_dir: '${this.dataDir(address)}'`,
      `  password: '${this.password}'`,
      '',
    ].join('\n');
    writeFileSync(this.configFile(address), yaml, { mode: 0o600 });
    const child = this.group.start(PATRONI_RAFT_CONTROLLER, [this.configFile(address)]);
    this.processes.set(address, child);
    return child;
  }

  /** Stops the member by its pid; with `wipe`, its Raft journal and dump go too. */
  async stopMember(address: string, wipe = false): Promise<void> {
    const child = this.processes.get(address);
    if (child) await stopProcess(child);
    this.processes.delete(address);
    if (wipe) rmSync(this.dataDir(address), { recursive: true, force: true });
  }

  running(): string[] {
    return [...this.processes.keys()];
  }

  logOf(address: string): string {
    const child = this.processes.get(address);
    return child ? (this.group.logs.get(child) ?? '') : '';
  }

  /** Our CLI with the password given (or, with -patroni, taken from the file). */
  admin(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
    return run(process.execPath, [OUR_ADMIN, ...args], { env, timeoutMs: 30_000 });
  }

  withPass(args: string[]): Promise<RunResult> {
    return this.admin([...args, '-pass', this.password]);
  }

  reference(args: string[]): Promise<RunResult> {
    return run(SYNCOBJ_ADMIN, [...args, '-pass', this.password], { timeoutMs: 30_000 });
  }

  /** Waits until every given member reports the same leader, and that leader is one of them. */
  async waitForLeader(members = this.running(), timeoutMs = 30_000): Promise<string> {
    return waitFor('a Patroni Raft leader all members agree on', async () => {
      const leaders = await Promise.all(members.map(async (a) => {
        const r = await this.withPass(['-conn', a, '-status', '-json', '-timeout', '2']);
        return r.code === 0 ? ((JSON.parse(r.stdout) as Record<string, unknown>)['leader'] ?? null) : null;
      }));
      const leader = leaders[0];
      return typeof leader === 'string' && members.includes(leader) && leaders.every((l) => l === leader) ? leader : null;
    }, timeoutMs, 250);
  }

  /** Polls -health -cluster from `member` until it exits `code`. */
  async waitForHealth(member: string, code: number, timeoutMs = 20_000): Promise<RunResult> {
    return waitFor(`-health -cluster from ${member} to exit ${code}`, async () => {
      const r = await this.admin(['-patroni', this.configFile(member), '-health', '-cluster', '-timeout', '2']);
      return r.code === code ? r : null;
    }, timeoutMs, 300);
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
