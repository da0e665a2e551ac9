// Where the CLI writes: injected, so tests can run the CLI without a process.

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Extra lines for people (progress, timings) only go to a terminal, never into a pipe. */
  readonly isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};
