// `syncobj-node kv set|get|del`: one key-value request from the shell, with syncobj-admin's exit codes.

import { CommandFailedError, UsageError } from '../errors.js';
import { parseAddress } from '../client/address.js';
import { KvClient } from '../client/kv-client.js';
import { scanFlags } from './node-config.js';
import { readPassword } from './password-source.js';

export async function runKvCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { flags, positional } = scanFlags(argv, new Set(['help', 'h']), new Set(['conn', 'password-file', 'timeout']));
  if (flags.has('help') || flags.has('h')) {
    process.stdout.write('Usage: syncobj-node kv set|get|del KEY [VALUE] --conn HOST:PORT[,HOST:PORT...] [--password-file FILE] [--timeout S]\n');
    return 0;
  }
  const [op, key, value, ...rest] = positional;
  if (op === undefined) throw new UsageError('kv needs an operation: set, get or del');
  if (op !== 'set' && op !== 'get' && op !== 'del') throw new UsageError(`kv has no operation '${op}': use set, get or del`);
  if (key === undefined) throw new UsageError(`kv ${op} needs a KEY`);
  if (op === 'set' && value === undefined) throw new UsageError('kv set needs a KEY and a VALUE');
  if ((op !== 'set' && value !== undefined) || rest.length > 0) throw new UsageError(`too many arguments for kv ${op}`);
  const conn = flags.get('conn');
  if (conn === undefined) throw new UsageError('kv needs --conn HOST:PORT[,HOST:PORT...]');
  const members = conn.split(',').filter((m) => m.length > 0);
  for (const m of members) if (!parseAddress(m)) throw new UsageError(`--conn: '${m}' is not HOST:PORT`);
  const timeoutText = flags.get('timeout') ?? '10';
  const seconds = Number(timeoutText);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${timeoutText}'`);
  const password = await readPassword(flags.get('password-file') ?? null, env, (text) => process.stderr.write(`${text}\n`));
  const client = new KvClient({ members, password, timeoutMs: seconds * 1000 });
  try {
    if (op === 'set') await client.set(key, value!);
    else if (op === 'del') await client.del(key);
    else {
      const found = await client.get(key);
      if (found === null) throw new CommandFailedError(`key '${key}' is not set`);
      process.stdout.write(`${found}\n`);
    }
    return 0;
  } finally {
    client.close();
  }
}
