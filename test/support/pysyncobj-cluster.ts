// A real PySyncObj cluster (Debian's python3-pysyncobj under /usr/bin/python3) on loopback.

import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/paths.js';
import { freePorts, ProcessGroup, run, waitFor, type RunResult } from './processes.js';

export const PYTHON = '/usr/bin/python3';
export const SYNCOBJ_ADMIN = '/usr/bin/syncobj_admin';
export const OUR_ADMIN = join(repoRoot, 'bin', 'syncobj-admin');

/** Why the real PySyncObj cannot be used here, or null when it can. */
export function pysyncobjMissing(): string | null {
  if (!existsSync(PYTHON) || !existsSync(SYNCOBJ_ADMIN)) return `${SYNCOBJ_ADMIN} or ${PYTHON} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import pysyncobj'], { encoding: 'utf8' });
  return probe.status === 0 ? null : 'pysyncobj does not import under /usr/bin/python3';
}

/**
 * The skip option for interop suites: loud locally, and a failure in CI (.ci/run sets
 * SYNCOBJ_REQUIRE_PYSYNCOBJ), where the real peer must be present.
 */
export function interopSkip(): string | false {
  const missing = pysyncobjMissing();
  if (!missing) return false;
  if (process.env['SYNCOBJ_REQUIRE_PYSYNCOBJ']) throw new Error(`interop tests must run here, but ${missing}: apt-get install -y python3-pysyncobj`);
  const why = `SKIPPED interop against real PySyncObj: ${missing} (apt-get install -y python3-pysyncobj)`;
  process.stderr.write(`\n*** ${why} ***\n\n`);
  return why;
}

export interface PysyncobjCluster {
  addresses: string[];
  group: ProcessGroup;
  password: string | null;
  stop(): Promise<void>;
}

export async function startPysyncobjCluster(size: number, options: { password?: string; extraArgs?: string[] } = {}): Promise<PysyncobjCluster> {
  const ports = await freePorts(size);
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const group = new ProcessGroup();
  const script = join(repoRoot, 'test', 'interop', 'pysyncobj_node.py');
  for (const self of addresses) {
    const partners = addresses.filter((a) => a !== self).join(',');
    const args = [script, self, partners, ...(options.password ? ['--password', options.password] : []), ...(options.extraArgs ?? [])];
    group.start(PYTHON, args);
  }
  const cluster: PysyncobjCluster = { addresses, group, password: options.password ?? null, stop: () => group.stopAll() };
  try {
    await waitForLeader(cluster);
  } catch (err) {
    await group.stopAll();
    throw err;
  }
  return cluster;
}

/** Waits until every member reports the same leader; returns it. */
export async function waitForLeader(cluster: PysyncobjCluster, members = cluster.addresses, timeoutMs = 20_000): Promise<string> {
  return waitFor('a PySyncObj leader', async () => {
    const leaders = await Promise.all(members.map(async (a) => statusField(await ourAdmin(cluster, ['-conn', a, '-status', '-timeout', '2']), 'leader')));
    return leaders.every((l) => l && l !== 'None' && l === leaders[0]) ? leaders[0]! : null;
  }, timeoutMs, 200);
}

export function statusField(result: RunResult, key: string): string | null {
  const line = result.stdout.split('\n').find((l) => l.startsWith(key + ': '));
  return line ? line.slice(key.length + 2) : null;
}

function withPassword(cluster: PysyncobjCluster, args: string[]): string[] {
  return cluster.password ? [...args, '-pass', cluster.password] : args;
}

export function ourAdmin(cluster: PysyncobjCluster, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(process.execPath, [OUR_ADMIN, ...withPassword(cluster, args)], { env: env ?? process.env, timeoutMs: 30_000 });
}

export function theirAdmin(cluster: PysyncobjCluster, args: string[]): Promise<RunResult> {
  return run(SYNCOBJ_ADMIN, withPassword(cluster, args), { timeoutMs: 30_000 });
}
