// Where the cluster password comes from: a file that others cannot read, or SYNCOBJ_PASSWORD.

import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/**
 * The password, or null for a cluster without one. One trailing newline of the file is dropped. A
 * file its group may read is used, with a warning through `warn` (shared service accounts do this
 * on purpose); one anybody may read is refused.
 */
export async function readPassword(file: string | null, env: NodeJS.ProcessEnv, warn: (text: string) => void): Promise<string | null> {
  if (file === null) {
    const fromEnv = env['SYNCOBJ_PASSWORD'];
    return fromEnv === undefined || fromEnv === '' ? null : fromEnv;
  }
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new UsageError(`cannot read the password file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // A password others can read is no secret: refuse rather than run a cluster anyone on the host can join.
  if ((info.mode & 0o004) !== 0) throw new UsageError(`the password file ${file} is world-readable; chmod 600 it first`);
  if ((info.mode & 0o070) !== 0) warn(`warning: password file ${file} is accessible to its group (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it`);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the password file ${file}: ${err.code ?? err.message}`);
  });
  const password = text.endsWith('\n') ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  if (password === '') throw new UsageError(`the password file ${file} is empty`);
  return password;
}
