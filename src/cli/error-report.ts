// How a failed command is reported: one line on stderr, and with -json an object, for the top-level
// handler and for -health -wait, which reports the last ask's error only once its wait has ended.

import { ExitCode, SyncobjError, type ExitCodeValue } from '../errors.js';

export interface ErrorReport {
  exitCode: ExitCodeValue;
  name: string;
  message: string;
  /** For stderr: the message, or for a bug in this tool the stack, which is then worth showing. */
  line: string;
}

export function describeError(err: unknown): ErrorReport {
  if (err instanceof SyncobjError) return { exitCode: err.exitCode, name: err.name, message: err.message, line: `syncobj-admin: ${err.message}\n` };
  const message = `internal error, please report it: ${(err as Error)?.message ?? String(err)}`;
  return { exitCode: ExitCode.internal, name: 'InternalError', message, line: `syncobj-admin: internal error, please report it: ${(err as Error)?.stack ?? String(err)}\n` };
}

/** -health's one JSON shape, whatever went wrong (issue 11, item 12). */
export function healthErrorJson(r: ErrorReport): Record<string, unknown> {
  return { healthy: false, exit_code: r.exitCode, problems: [r.message], error: r.name };
}
