// The one option table: the fast argv scanner, yargs (help, completion, errors) and the man page
// test all read it, so they cannot drift apart.

export type OptionType = 'string' | 'number' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  describe: string;
  group: 'Actions:' | 'Connection:' | 'Output:';
  /** Shown in --help as the value's name. */
  value?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;
/** Longer waits are typing mistakes (1e9), and beyond 2^31 ms Node's timers fire at once. */
export const MAX_TIMEOUT_SECONDS = 86_400;

export const OPTIONS = {
  conn: { type: 'string', value: 'HOST:PORT', describe: 'address of the node to talk to', group: 'Connection:' },
  pass: { type: 'string', value: 'PASSWORD', describe: "cluster's password (visible in ps; prefer -pass-file)", group: 'Connection:' },
  'pass-file': { type: 'string', value: 'FILE', describe: 'read the password from FILE (one trailing newline is dropped)', group: 'Connection:' },
  patroni: { type: 'string', value: 'FILE', describe: "read Patroni's config (and its PATRONI_RAFT_* variables): -conn defaults to raft.self_addr, the password to raft.password, and -cluster also asks raft.partner_addrs", group: 'Connection:' },
  timeout: { type: 'number', value: 'SECONDS', describe: `give up after SECONDS (default ${DEFAULT_TIMEOUT_SECONDS}; at most ${MAX_TIMEOUT_SECONDS}, a day)`, group: 'Connection:' },
  status: { type: 'boolean', describe: "send command 'status' and print the node's state", group: 'Actions:' },
  add: { type: 'string', value: 'HOST:PORT', describe: "send command 'add': add a member to the cluster", group: 'Actions:' },
  remove: { type: 'string', value: 'HOST:PORT', describe: "send command 'remove': remove a member from the cluster", group: 'Actions:' },
  set_version: { type: 'number', value: 'N', describe: 'set the cluster code version', group: 'Actions:' },
  transfer: { type: 'string', value: 'HOST:PORT|auto', describe: 'move leadership to that member (auto: the most up-to-date eligible one) and wait until it leads', group: 'Actions:' },
  drain: { type: 'boolean', describe: "before maintenance: the node never leads (election mode voter, kept across its restart); if it leads, it hands leadership over first (syncobj-node only)", group: 'Actions:' },
  undrain: { type: 'boolean', describe: 'after maintenance: the node returns to the election mode it had before -drain', group: 'Actions:' },
  health: { type: 'boolean', describe: 'exit 0 only if the node answers, sees a leader and has quorum', group: 'Actions:' },
  'max-lag': { type: 'number', value: 'N', describe: "with -health: unhealthy when the node's commit index is more than N behind the leader's", group: 'Actions:' },
  wait: { type: 'number', value: 'SECONDS', describe: 'keep asking until done or SECONDS have passed (with -add: until the new member is a voter; with -health: about once a second until healthy, then exit with the last verdict)', group: 'Actions:' },
  cluster: { type: 'boolean', describe: "with -status or -health: every member of the leader's configuration, found from -conn; one verdict whichever member is asked", group: 'Actions:' },
  wire: { type: 'string', value: 'auto|native|pysyncobj', describe: "protocol to speak (auto: PySyncObj's, which every node serves; native where only it can answer)", group: 'Connection:' },
  json: { type: 'boolean', describe: 'print machine-readable JSON', group: 'Output:' },
  prometheus: { type: 'boolean', describe: "with -status or -health: print Prometheus' text format (for node_exporter's textfile collector), one sample per member and fact; exit with the verdict", group: 'Output:' },
  'no-color': { type: 'boolean', describe: 'no colours (also when NO_COLOR is set or stdout is not a terminal)', group: 'Output:' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

type ValueOf<T extends OptionType> = T extends 'boolean' ? boolean : T extends 'number' ? number : string;
export type ParsedOptions = { -readonly [K in OptionName]?: ValueOf<(typeof OPTIONS)[K]['type']> };

export const COMMAND_OPTIONS = ['status', 'add', 'remove', 'set_version', 'transfer', 'drain', 'undrain', 'health'] as const satisfies readonly OptionName[];


