// One line per event on stderr, prefixed with the time and the member, so a cluster's logs interleave readably.

export class EventLog {
  constructor(
    readonly member: string,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  /** `kind` is a short event name (election, leader, membership, storage, auth, ...); `text` never holds secrets. */
  event(kind: string, text: string): void {
    this.write(`${new Date().toISOString()} ${this.member} ${kind}: ${text}\n`);
  }
}
