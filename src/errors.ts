// The project's error classes. Each carries the exit code the CLI reports for it, so one
// top-level handler can print the message and set process.exitCode without a lookup table.

/** Exit codes of syncobj-admin; one meaning each, the same for every command (syncobj-admin(1)). */
export const ExitCode = {
  ok: 0,
  /** The node answered, and the answer was a failure (`FAIL ...` or an error text). */
  commandFailed: 1,
  /** Bad flags or arguments; nothing was sent. */
  usage: 2,
  /** The node could not be reached: refused, unreachable, DNS failure, or the connect timed out. */
  unreachable: 3,
  /** The node was reached but the session failed: wrong or missing password, or bytes that do not decode. */
  authOrProtocol: 4,
  /** The node accepted the connection but did not answer in time. */
  timeout: 5,
  /** -health: the cluster works but something is wrong (a member down or lagging). */
  degraded: 6,
  /** -health: no leader, or the leader has no quorum. */
  noQuorum: 7,
  /** -health -cluster: members at the same applied index hold different state. */
  diverged: 8,
  /** A bug in syncobj-admin itself (sysexits' EX_SOFTWARE). */
  internal: 70,
  /** Standard output could not be written (a closed pipe, a full disk; sysexits' EX_IOERR); the command itself may have run. */
  outputFailed: 74,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class SyncobjError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UsageError extends SyncobjError {
  readonly exitCode = ExitCode.usage;
}

export class ConnectError extends SyncobjError {
  readonly exitCode = ExitCode.unreachable;
}

/** Wrong password, missing password, or a password the node does not expect. */
export class AuthError extends SyncobjError {
  readonly exitCode = ExitCode.authOrProtocol;
}

/** Bytes that do not decode: bad frame, bad MAC, bad zlib, disallowed pickle, oversize. */
export class ProtocolError extends SyncobjError {
  readonly exitCode = ExitCode.authOrProtocol;
}

export class TimeoutError extends SyncobjError {
  readonly exitCode = ExitCode.timeout;
  constructor(
    message: string,
    readonly phase: string,
  ) {
    super(message);
  }
}

/** The node answered with a failure. `reply` is its text, printed as syncobj_admin would. */
export class CommandFailedError extends SyncobjError {
  readonly exitCode = ExitCode.commandFailed;
  constructor(
    message: string,
    readonly reply?: string,
  ) {
    super(message);
  }
}
