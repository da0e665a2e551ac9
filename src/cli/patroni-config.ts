// -patroni FILE: the raft settings of a Patroni config, combined with the PATRONI_RAFT_* variables
// the way Patroni 3.0.2 combines them (patroni/config.py, _build_environment_configuration): a
// variable that is set and not empty overrides the file's key. bind_addr only says where to listen
// (possibly 0.0.0.0); members and this tool reach a member at self_addr. Loaded only for -patroni.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseAddress } from '../client/address.js';

export interface PatroniRaft {
  /** Where the settings came from, for messages. */
  source: string;
  /** Where the member serves, and so the admin port; absent on a read-only member. */
  selfAddr: string | null;
  partnerAddrs: string[];
  password: string | null;
}

type Yaml = typeof import('yaml');
type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Patroni reads a directory as every *.yml / *.yaml file in it, in name order, later files winning. */
function configFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new UsageError(`cannot read the Patroni config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!stat.isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
  if (!files.length) throw new UsageError(`the Patroni config directory ${path} holds no .yml or .yaml file`);
  return files;
}

function parseFile(yaml: Yaml, file: string): Mapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the Patroni config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // PyYAML's safe_load reads YAML 1.1, so the same file means the same values here.
  const doc = yaml.parseDocument(text, { version: '1.1', prettyErrors: false });
  if (doc.errors.length) throw new UsageError(`the Patroni config ${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) throw new UsageError(`the Patroni config ${file} is not a YAML mapping of sections`);
  return value;
}

/** Patroni's list syntax for PATRONI_RAFT_PARTNER_ADDRS: YAML, wrapped in [ ] unless it is already a list. */
function parseListVariable(yaml: Yaml, value: string): unknown {
  const text = value.trim().startsWith('-') || value.includes('[') ? value : `[${value}]`;
  try {
    return yaml.parse(text, { version: '1.1' });
  } catch {
    throw new UsageError(`PATRONI_RAFT_PARTNER_ADDRS is not a YAML list: '${value}'`);
  }
}

function optionalString(raft: Mapping, key: string, source: string): string | null {
  const v = raft[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new UsageError(`raft.${key} in ${source} must be a string; quote it`);
  return v;
}

function checkedAddress(value: string, what: string, source: string): string {
  if (!parseAddress(value)) throw new UsageError(`${what} in ${source} is not HOST:PORT: '${value}'`);
  return value;
}

export async function readPatroniConfig(path: string, env: NodeJS.ProcessEnv): Promise<PatroniRaft> {
  const yaml = await import('yaml');
  const sections: Mapping = {};
  for (const file of configFiles(path)) {
    const doc = parseFile(yaml, file);
    const raft = doc['raft'];
    // Like Patroni's patch_config: later files add to and override the raft section key by key.
    if (isMapping(raft)) sections['raft'] = { ...(isMapping(sections['raft']) ? sections['raft'] : {}), ...raft };
    else if (raft !== undefined && raft !== null) throw new UsageError(`the raft section of ${file} is not a mapping`);
  }
  const raft: Mapping = isMapping(sections['raft']) ? { ...sections['raft'] } : {};
  const fromEnv: string[] = [];
  for (const key of ['self_addr', 'partner_addrs', 'password']) {
    const value = env[`PATRONI_RAFT_${key.toUpperCase()}`];
    if (!value) continue;
    raft[key] = key === 'partner_addrs' ? parseListVariable(yaml, value) : value;
    fromEnv.push(`PATRONI_RAFT_${key.toUpperCase()}`);
  }
  if (!isMapping(sections['raft']) && !fromEnv.length) {
    throw new UsageError(`the Patroni config ${path} has no raft section (raft.self_addr, raft.partner_addrs, raft.password), and no PATRONI_RAFT_* variable is set`);
  }
  const source = fromEnv.length ? `${path} (with ${fromEnv.join(', ')})` : path;
  const partners = raft['partner_addrs'] ?? [];
  if (!Array.isArray(partners) || partners.some((p) => typeof p !== 'string')) {
    throw new UsageError(`raft.partner_addrs in ${source} must be a list of HOST:PORT strings`);
  }
  const selfAddr = optionalString(raft, 'self_addr', source);
  return {
    source,
    selfAddr: selfAddr === null ? null : checkedAddress(selfAddr, 'raft.self_addr', source),
    partnerAddrs: (partners as string[]).map((p) => checkedAddress(p, 'raft.partner_addrs', source)),
    password: optionalString(raft, 'password', source),
  };
}
