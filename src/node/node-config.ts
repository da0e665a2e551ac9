// The flags of `syncobj-node` (the member itself), parsed into a checked configuration or a UsageError.

import { parseAddress } from '../client/address.js';
import { UsageError } from '../errors.js';
import type { ElectionMode } from '../raft/index.js';

export interface NodeConfig {
  self: string;
  partners: string[];
  dataDir: string;
  passwordFile: string | null;
  electionMode: ElectionMode;
  fsync: 'always' | 'never';
  transferOnStop: boolean;
  /** Joins an existing cluster: counts no voters until the leader's log says it was added. */
  join: boolean;
  compactEvery: number;
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  faultDiskFullAfterBytes: number | null;
}

export const NODE_USAGE = `Usage: syncobj-node --self HOST:PORT --partners HOST:PORT,... --data-dir DIR [options]
       syncobj-node kv set|get|del KEY [VALUE] --conn HOST:PORT[,HOST:PORT...] [--password-file FILE] [--timeout S]
       syncobj-node dev [--nodes N] [--demo] [--password-file FILE]

Runs one member of a Raft cluster serving a replicated key-value map. Its port speaks the native
wire to peers and clients and PySyncObj's admin wire to syncobj_admin.

Member options:
  --self HOST:PORT            this member's address (also its id)
  --partners A,B,...          the other members ('' for a cluster of one)
  --data-dir DIR              where the log, hard state and snapshots live (created 0700)
  --password-file FILE        cluster password (or SYNCOBJ_PASSWORD); must not be world-readable
  --join                      join an existing cluster: wait to be added with 'syncobj-admin -add'
  --election-mode MODE        candidate (default), voter (never leads), manual (leads only on transfer);
                              a drain (syncobj-admin -drain, kept in the data dir) means voter until undrained
  --fsync always|never        fsync before acknowledging (default always)
  --no-transfer-on-stop       on SIGTERM, do not hand leadership over first
  --compact-every N           snapshot and compact after N applied entries (or half
                              as many as the map holds keys, if more; default 10000)
  --tick-ms MS                Raft tick (default 10)
  --election-ticks N          election timeout in ticks, randomized in [N, 2N) (default 20)
  --heartbeat-ticks N         leader heartbeat interval in ticks (default 2)
  --fault-disk-full-after-bytes N
                              testing aid: the disk fills after N bytes written
  -h, --help                  show this help
  -v, --version               print the version (syncobj-node 0.x.y)

See syncobj-node(1).
`;

const ELECTION_MODES: readonly ElectionMode[] = ['candidate', 'voter', 'manual'];

/** Splits `--flag value` and `--flag=value`; boolean flags take no value. */
export function scanFlags(argv: string[], booleans: ReadonlySet<string>, valued: ReadonlySet<string>): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (valued.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (flags.has(name)) throw new UsageError(`--${name} given twice`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option ${arg}; see syncobj-node --help`);
  }
  return { flags, positional };
}

function positiveInt(flags: Map<string, string>, name: string, fallback: number, min = 1): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return Number(raw);
}

function address(value: string, what: string): string {
  if (!parseAddress(value)) throw new UsageError(`${what} '${value}' is not HOST:PORT`);
  return value;
}

export function parseNodeArgs(argv: string[]): NodeConfig | 'help' {
  const { flags, positional } = scanFlags(
    argv,
    new Set(['help', 'h', 'join', 'no-transfer-on-stop']),
    new Set(['self', 'partners', 'data-dir', 'password-file', 'election-mode', 'fsync', 'compact-every', 'tick-ms', 'election-ticks', 'heartbeat-ticks', 'fault-disk-full-after-bytes']),
  );
  if (flags.has('help') || flags.has('h')) return 'help';
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'; see syncobj-node --help`);
  const self = flags.get('self');
  if (self === undefined) throw new UsageError('--self HOST:PORT is required');
  address(self, '--self');
  const partnersText = flags.get('partners');
  if (partnersText === undefined) throw new UsageError("--partners is required (use --partners '' for a cluster of one)");
  const partners = partnersText.split(',').map((p) => p.trim()).filter((p) => p.length > 0).map((p) => address(p, 'partner'));
  if (partners.includes(self)) throw new UsageError(`--partners must not list --self (${self})`);
  if (new Set(partners).size !== partners.length) throw new UsageError('--partners lists a member twice');
  const dataDir = flags.get('data-dir');
  if (dataDir === undefined || dataDir === '') throw new UsageError('--data-dir DIR is required');
  const mode = flags.get('election-mode') ?? 'candidate';
  if (!ELECTION_MODES.includes(mode as ElectionMode)) throw new UsageError(`--election-mode must be candidate, voter or manual, got '${mode}'`);
  const fsync = flags.get('fsync') ?? 'always';
  if (fsync !== 'always' && fsync !== 'never') throw new UsageError(`--fsync must be always or never, got '${fsync}'`);
  const join = flags.has('join');
  if (join && partners.length === 0) throw new UsageError('--join needs --partners naming members of the existing cluster');
  const electionTicks = positiveInt(flags, 'election-ticks', 20, 2);
  const heartbeatTicks = positiveInt(flags, 'heartbeat-ticks', 2);
  if (heartbeatTicks >= electionTicks) throw new UsageError('--heartbeat-ticks must be below --election-ticks');
  const fault = flags.get('fault-disk-full-after-bytes');
  return {
    self,
    partners,
    dataDir,
    passwordFile: flags.get('password-file') ?? null,
    electionMode: mode as ElectionMode,
    fsync,
    transferOnStop: !flags.has('no-transfer-on-stop'),
    join,
    compactEvery: positiveInt(flags, 'compact-every', 10_000),
    tickMs: positiveInt(flags, 'tick-ms', 10),
    electionTicks,
    heartbeatTicks,
    faultDiskFullAfterBytes: fault === undefined ? null : positiveInt(flags, 'fault-disk-full-after-bytes', 0, 0),
  };
}
