// The PySyncObj and Patroni releases the interop tests run against. Debian 12's 0.3.11 and 3.0.2
// are installed by apt (.ci/run); the newer ones are unpacked by .ci/fetch-peers into a cache and
// run with /usr/bin/python3 and PYTHONPATH. One place says where each release lives.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

export interface PeerRelease {
  name: 'pysyncobj' | 'patroni';
  version: string;
  /** Where its Python package lives; null for the system's own (apt) install. */
  pythonPath: string | null;
  /** Where its scripts (syncobj_admin, patroni, patroni_raft_controller) live. */
  binDir: string;
}

export const PYSYNCOBJ_VERSIONS = ['0.3.11', '0.3.14', '0.3.15'] as const;
export const PATRONI_VERSIONS = ['3.0.2', '4.0.7', '4.1.5'] as const;
/** The releases apt installs on Debian 12; the others come from the cache. */
const SYSTEM: Record<string, string> = { pysyncobj: '0.3.11', patroni: '3.0.2' };

export function peerCacheDir(): string {
  return process.env['SYNCOBJ_PEER_CACHE'] ?? join(homedir(), '.cache', 'syncobj-admin', 'peers');
}

export function peerRelease(name: PeerRelease['name'], version: string): PeerRelease {
  if (SYSTEM[name] === version) return { name, version, pythonPath: null, binDir: '/usr/bin' };
  const root = join(peerCacheDir(), `${name}-${version}`);
  return { name, version, pythonPath: join(root, 'usr', 'lib', 'python3', 'dist-packages'), binDir: join(root, 'usr', 'bin') };
}

/** Why the release cannot be used here, or null when it can. */
export function peerMissing(release: PeerRelease): string | null {
  const path = release.pythonPath ?? release.binDir;
  return existsSync(path) ? null : `${release.name} ${release.version} is not at ${path} (run .ci/fetch-peers)`;
}

/**
 * The environment that runs a Patroni release on a PySyncObj release: the cached packages first on
 * PYTHONPATH, the system's dist-packages (psycopg2, yaml, ...) after them.
 */
export function peerEnv(releases: readonly PeerRelease[], base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const paths = releases.map((r) => r.pythonPath).filter((p): p is string => p !== null);
  const env = { ...base };
  delete env['PYTHONPATH'];
  if (paths.length) env['PYTHONPATH'] = paths.join(':');
  return env;
}
