// Where the CLI writes: injected, so tests can run the CLI without a process.

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Extra lines for people (progress, timings) only go to a terminal, never into a pipe. */
  readonly isTTY: boolean;
  /** Width to wrap text for people: the terminal's, or 80 in a pipe (default 80). */
  readonly columns?: number;
  /** Resolves once everything given to out() was written, with the error if it could not be. */
  finish?(): Promise<NodeJS.ErrnoException | null>;
}

let stdoutError: NodeJS.ErrnoException | null = null;
let guarded = false;

/** A closed pipe or a full disk arrives as an 'error' event: kept for finish(), never an unhandled event and a stack trace. */
function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutError ??= err;
  });
}

export const processOutput: Output = {
  out: (text) => {
    guardStdout();
    if (stdoutError === null) process.stdout.write(text);
  },
  err: (text) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : 80;
  },
  finish: () => {
    guardStdout();
    return new Promise((resolve) => {
      if (stdoutError !== null) return resolve(stdoutError);
      process.stdout.write('', (err) => resolve(stdoutError ?? (err as NodeJS.ErrnoException | null | undefined) ?? null));
    });
  },
};
