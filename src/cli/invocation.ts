// Turns parsed options and the environment into one checked invocation: which node, which
// command, which password, how long to wait. Every usage error is raised here, before any I/O.

import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parseAddress, type NodeAddress } from '../client/address.js';
import type { AdminCommand } from '../client/commands.js';
import type { WireChoice } from '../client/admin-client.js';
import { COMMAND_OPTIONS, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, type ParsedOptions } from './options.js';
import type { PatroniRaft } from './patroni-config.js';

export type Action = { kind: 'command'; command: AdminCommand } | { kind: 'health'; maxLag: number | null } | { kind: 'drain'; drained: boolean };

export interface Invocation {
  address: NodeAddress;
  action: Action;
  /** -cluster: every member, not just the one at `address`. */
  cluster: boolean;
  /** More members for -cluster to ask besides those the cluster names (-patroni's partner_addrs). */
  seeds: string[];
  wire: WireChoice;
  color: boolean;
  password: string | null;
  timeoutMs: number;
  /** -wait: how long to keep asking until the command's outcome is complete; null to return at once. */
  waitMs: number | null;
  json: boolean;
  /** -prometheus: Prometheus' text exposition format instead of text or JSON. */
  prometheus: boolean;
  /** Said on stderr before anything else; never fatal. */
  warnings: string[];
}

const WIRES: readonly WireChoice[] = ['auto', 'native', 'pysyncobj'];

/** `patroni`: what -patroni read; it fills in -conn, the password and -cluster's seeds when they are not given. */
export function resolveInvocation(options: ParsedOptions, env: NodeJS.ProcessEnv, isTTY = false, patroni: PatroniRaft | null = null): Invocation {
  const warnings: string[] = [];
  const conn = options.conn ?? patroni?.selfAddr;
  if (conn === undefined || conn === null) {
    throw new UsageError(
      patroni
        ? `${patroni.source} has no raft.self_addr (a member without one is read-only and serves no admin port): give -conn HOST:PORT`
        : 'missing -conn HOST:PORT: which node should I talk to?',
    );
  }
  const address = parseAddress(conn);
  if (!address) throw new UsageError(`invalid address to connect: '${conn}' (expected HOST:PORT, port 1-65535)`);

  const given = COMMAND_OPTIONS.filter((name) => options[name] !== undefined && options[name] !== false);
  if (given.length === 0) throw new UsageError('invalid command: give one of -status, -add, -remove, -set_version, -transfer, -drain, -undrain, -health');
  if (given.length > 1) throw new UsageError(`give one command, not ${given.map((n) => '-' + n).join(' and ')}`);
  if (options['max-lag'] !== undefined && given[0] !== 'health') throw new UsageError('-max-lag goes with -health');
  if (options.cluster && given[0] !== 'status' && given[0] !== 'health') throw new UsageError('-cluster goes with -status or -health');
  if (options.wait !== undefined && given[0] !== 'add' && given[0] !== 'health') throw new UsageError('-wait goes with -add or -health');
  if (options.prometheus && given[0] !== 'status' && given[0] !== 'health') throw new UsageError('-prometheus goes with -status or -health');
  if (options.prometheus && options.json) throw new UsageError('give -prometheus or -json, not both');
  const wire = (options.wire ?? 'auto') as WireChoice;
  if (!WIRES.includes(wire)) throw new UsageError(`-wire must be auto, native or pysyncobj, not '${options.wire}'`);
  if (wire === 'pysyncobj' && (given[0] === 'drain' || given[0] === 'undrain')) {
    throw new UsageError(`-${given[0]} is a syncobj-node command on its native wire; -wire pysyncobj cannot carry it`);
  }

  const timeoutSeconds = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`-timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (a day), not ${timeoutSeconds}`);
  }
  const waitSeconds = options.wait ?? null;
  if (waitSeconds !== null && !(waitSeconds > 0 && waitSeconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`-wait must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (a day), not ${waitSeconds}`);
  }

  return {
    address,
    action: toAction(given[0]!, options),
    cluster: options.cluster === true,
    seeds: patroni?.partnerAddrs ?? [],
    wire,
    color: isTTY && options['no-color'] !== true && !env['NO_COLOR'],
    password: resolvePassword(options, env, warnings) ?? patroni?.password ?? null,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    waitMs: waitSeconds === null ? null : Math.round(waitSeconds * 1000),
    json: options.json === true,
    prometheus: options.prometheus === true,
    warnings,
  };
}

function toAction(name: (typeof COMMAND_OPTIONS)[number], options: ParsedOptions): Action {
  switch (name) {
    case 'status':
      return { kind: 'command', command: { kind: 'status' } };
    case 'set_version': {
      const version = options.set_version!;
      if (!Number.isSafeInteger(version)) throw new UsageError(`-set_version needs a whole number, not ${version}`);
      return { kind: 'command', command: { kind: 'set_version', version } };
    }
    case 'drain':
    case 'undrain':
      return { kind: 'drain', drained: name === 'drain' };
    case 'health': {
      const maxLag = options['max-lag'] ?? null;
      if (maxLag !== null && !(Number.isSafeInteger(maxLag) && maxLag >= 0)) throw new UsageError(`-max-lag needs a whole number of entries, not ${maxLag}`);
      return { kind: 'health', maxLag };
    }
    default: {
      const node = options[name]!;
      if (name === 'transfer' && node === 'auto') return { kind: 'command', command: { kind: 'transfer', node } };
      if (!parseAddress(node)) throw new UsageError(`invalid address to command ${name}: '${node}' (expected HOST:PORT, port 1-65535)`);
      return { kind: 'command', command: { kind: name, node } };
    }
  }
}

/** -pass, then -pass-file, then SYNCOBJ_PASSWORD (set but empty counts as unset); null lets -patroni's password apply, or means none. */
function resolvePassword(options: ParsedOptions, env: NodeJS.ProcessEnv, warnings: string[]): string | null {
  if (options.pass !== undefined && options['pass-file'] !== undefined) throw new UsageError('give -pass or -pass-file, not both');
  if (options.pass !== undefined) return options.pass;
  const file = options['pass-file'];
  if (file === undefined) return env['SYNCOBJ_PASSWORD'] || null;
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode;
  } catch (err) {
    throw new UsageError(`cannot read the password file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const password = text.replace(/\r?\n$/, '');
  // An empty password would reach the node and come back as "wrong password", far from its cause.
  if (password === '') throw new UsageError(`the password file ${file} is empty; write the cluster's password into it`);
  // As ssh does for keys: any access by group or others is worth a word (0640 as much as 0644).
  if (mode & 0o077) warnings.push(`warning: password file ${file} is accessible to others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it`);
  return password;
}
