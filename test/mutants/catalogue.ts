// The curated mutants: each breaks one behaviour a guarantee in the README rests on, by replacing one
// snippet of source that occurs exactly once, and names the tests that must then fail. A snippet that
// no longer matches makes the suite fail loudly rather than test nothing (catalogue.test.ts checks it).

export interface Mutant {
  name: string;
  /** The README guarantee (or issue) the behaviour belongs to. */
  guarantee: string;
  /** What the mutant breaks, in words. */
  breaks: string;
  /** Repository-relative source file. */
  file: string;
  find: string;
  replace: string;
  /** Repository-relative test files (.ts) that must fail; run in order, stopping at the first that does. */
  tests: string[];
}

const LOST = 'Nothing acknowledged is lost, no member diverges';
const HOSTILE = 'Hostile input gets a clear error and changes nothing';
const PASSWORD = 'No one gets in without the password';
const TRANSFER = '-transfer is reported done only when the new leader itself says it leads';

const RUNTIME_SIM = 'test/sim/runtime-schedules.test.ts';
const PURE_SIM = ['test/sim/schedules-part1.test.ts', 'test/sim/schedules-part2.test.ts'];

export const MUTANTS: Mutant[] = [
  {
    name: 'runtime-forgets-vote',
    guarantee: LOST,
    breaks: 'the runtime persists the hard state only for commit progress, never for a new term or vote (PySyncObj issue 201)',
    file: 'src/node/persist-policy.ts',
    find: 'return next.term !== stored.term || next.vote !== stored.vote || next.commit - stored.commit >= COMMIT_PERSIST_EVERY;',
    replace: 'return next.commit - stored.commit >= COMMIT_PERSIST_EVERY;',
    tests: [RUNTIME_SIM],
  },
  {
    name: 'runtime-sends-before-persist',
    guarantee: LOST,
    breaks: "the runtime hands a Ready's messages to the network before its hard state and entries are durable",
    file: 'src/node/raft-runtime.ts',
    find: 'const early = sendableBeforePersist(rd, this.options.storage.hardState, this.#storageFault !== null);',
    replace: 'const early = new Set(rd.messages);',
    tests: [RUNTIME_SIM],
  },
  {
    name: 'journal-skips-fsync',
    guarantee: LOST,
    breaks: 'a journal append resolves before fdatasync, so a power cut can lose acknowledged entries',
    file: 'src/node/storage/journal-writer.ts',
    find: 'this.#size += record.length;\n    if (this.options.durable) {',
    replace: 'this.#size += record.length;\n    if (false) {',
    tests: [RUNTIME_SIM],
  },
  {
    name: 'atomic-file-skips-fsync',
    guarantee: LOST,
    breaks: 'the hard state (and snapshot) file is renamed into place before its content is durable',
    file: 'src/node/storage/atomic-file.ts',
    find: 'if (durable) await fsx.fsync(fd);\n    await fsx.close(fd);',
    replace: 'await fsx.close(fd);',
    tests: [RUNTIME_SIM],
  },
  {
    name: 'journal-trusts-bad-checksum',
    guarantee: LOST,
    breaks: "recovery accepts a journal record whose header checksum does not match (torn or corrupt data replayed)",
    file: 'src/node/storage/journal-record.ts',
    find: 'if (buf.readUInt32LE(at + 8) !== crc32Range(buf, at, at + 8)) {',
    replace: 'if (false) {',
    tests: ['test/node/storage/recovery.test.ts', 'test/node/storage/storage.test.ts'],
  },
  {
    name: 'at-most-once-keeps-floor',
    guarantee: 'KvClient applies a write re-sent after an unclear outcome at most once',
    breaks: "the at-most-once table keeps the old floor's write number when the floor moves past it, so members of different versions hold different tables",
    file: 'src/node/kv-state-machine.ts',
    find: 'for (let q = from; q < to; q++) applied.delete(q);',
    replace: 'for (let q = from + 1; q < to; q++) applied.delete(q);',
    tests: ['test/node/kv-state-machine.test.ts'],
  },
  {
    name: 'restart-forgets-code-version',
    guarantee: LOST,
    breaks: 'a member restarted from a snapshot taken after code version 1 was enabled chains its applied digest with SHA-256 again, so it and the others disagree at the same index',
    file: 'src/node/raft-runtime.ts',
    find: 'recovered.snapshot.meta.index, recovered.snapshot.meta.codeVersion);',
    replace: 'recovered.snapshot.meta.index, 0);',
    tests: [RUNTIME_SIM],
  },
  {
    name: 'replicate-to-older-build',
    guarantee: LOST,
    breaks: 'after code version 1 is enabled, the leader sends the log to a member added later that supports only version 0, which misreads binary commands and the 64-bit digest and diverges',
    file: 'src/raft/raft.ts',
    find: 'if (enabled > 0 && (this.tracker.peer(to)?.supportedCodeVersion ?? -1) < enabled) return false;',
    replace: 'if (enabled < 0) return false;',
    tests: ['test/raft/raft-node.test.ts'],
  },
  {
    name: 'commit-previous-term',
    guarantee: LOST,
    breaks: 'a leader commits an entry of an earlier term by counting replicas (thesis figure 3.7, "figure 8")',
    file: 'src/raft/raft.ts',
    find: 'if (index <= this.log.committed || this.log.term(index) !== this.term) return false;',
    replace: 'if (index <= this.log.committed) return false;',
    tests: PURE_SIM,
  },
  {
    name: 'vote-twice-in-a-term',
    guarantee: LOST,
    breaks: 'a member grants its vote to any candidate, even after voting for another in the same term',
    file: 'src/raft/raft.ts',
    find: 'const canVote =\n      this.vote === m.from ||',
    replace: 'const canVote =\n      true ||',
    tests: PURE_SIM,
  },
  {
    name: 'vote-ignores-log',
    guarantee: LOST,
    breaks: "a member votes for a candidate whose log is behind its own (no election restriction, thesis 3.6.1)",
    file: 'src/raft/log.ts',
    find: 'return lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex());',
    replace: 'return true;',
    tests: PURE_SIM,
  },
  {
    name: 'append-ignores-prev-term',
    guarantee: LOST,
    breaks: "a follower appends after an entry whose term differs from the leader's (no log matching check)",
    file: 'src/raft/log.ts',
    find: 'if (!this.matchTerm(prevIndex, prevTerm)) return undefined;',
    replace: 'if (prevIndex > this.lastIndex()) return undefined;',
    tests: PURE_SIM,
  },
  {
    name: 'leader-ignores-storage-failure',
    guarantee: LOST,
    breaks: 'a leader whose disk fails keeps leading instead of stepping down',
    file: 'src/raft/raft.ts',
    find: "const steppedDown = this.role !== 'follower';\n    if (this.role === 'leader') this.stepDown(failed('storageFault', `storage failure: ${reason}`));\n    else if (steppedDown) this.becomeFollower(this.term, null);",
    replace: 'const steppedDown = false;',
    tests: ['test/raft/scenarios.test.ts'],
  },
  {
    name: 'transfer-vote-not-forced',
    guarantee: TRANSFER,
    breaks: "the transfer target's vote requests are not marked forced, so leader stickiness blocks them (the PR 200 race)",
    file: 'src/raft/raft.ts',
    find: "const forced = kind === 'transfer' ? { forced: true } : {};",
    replace: 'const forced = {};',
    tests: ['test/raft/scenarios.test.ts'],
  },
  {
    name: 'drain-leaves-no-leader',
    guarantee: 'A drain never leaves the cluster without a member able to lead (issue 10)',
    breaks: 'the last voter able to lead may turn voter, so no member can ever be elected again',
    file: 'src/raft/raft.ts',
    find: "this.promotable() && !this.transfer.anotherCanLead()",
    replace: 'this.promotable() && false',
    tests: ['test/raft/scenarios.test.ts'],
  },
  {
    name: 'transfer-unconfirmed',
    guarantee: TRANSFER,
    breaks: "-transfer succeeds on the target's first status answer, whoever it says leads",
    file: 'src/cli/leader-confirmation.ts',
    find: "if (leader === target && status.get('state') === 2) return status;",
    replace: 'return status;',
    tests: ['test/cli/transfer-race.test.ts'],
  },
  {
    name: 'native-frame-unbounded',
    guarantee: HOSTILE,
    breaks: 'the native frame decoder buffers whatever length a header declares',
    file: 'src/wire/native/frame-decoder.ts',
    find: 'if (length > this.#maxFrameBytes) {',
    replace: 'if (false) {',
    tests: ['test/security/hostile-input.test.ts'],
  },
  {
    name: 'pickle-any-global',
    guarantee: HOSTILE,
    breaks: 'the pickle decoder accepts globals outside its allow-list (such as os.system)',
    file: 'src/wire/pysyncobj/pickle-reader.ts',
    find: 'if (!allowed) throw this.#error(',
    replace: 'if (false) throw this.#error(',
    tests: ['test/wire/pysyncobj/hostile.test.ts'],
  },
  {
    name: 'peer-term-any-number',
    guarantee: HOSTILE,
    breaks: 'peer messages are accepted with any number as a term or index (Infinity, NaN, negatives)',
    file: 'src/raft/messages.ts',
    find: "const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;",
    replace: "const isCount = (v: unknown): boolean => typeof v === 'number';",
    tests: ['test/raft/messages.test.ts', 'test/security/hostile-input.test.ts'],
  },
  {
    name: 'native-proof-not-compared',
    guarantee: PASSWORD,
    breaks: 'native handshake proofs and tags of the same length are accepted without comparing them',
    file: 'src/wire/native/session-keys.ts',
    find: 'return a.length === b.length && timingSafeEqual(a, b);',
    replace: 'return a.length === b.length;',
    tests: ['test/wire/native/sockets.test.ts'],
  },
  {
    name: 'data-dir-world-readable',
    guarantee: PASSWORD,
    breaks: 'data dirs are created readable by everyone (0755 instead of 0700)',
    file: 'src/node/storage/atomic-file.ts',
    find: 'export const DIR_MODE = 0o700;',
    replace: 'export const DIR_MODE = 0o755;',
    tests: ['test/node/storage/storage.test.ts'],
  },
  {
    name: 'password-file-world-readable',
    guarantee: PASSWORD,
    breaks: 'a world-readable password file is accepted',
    file: 'src/node/password-source.ts',
    find: 'if ((info.mode & 0o004) !== 0) throw new UsageError(',
    replace: 'if (false) throw new UsageError(',
    tests: ['test/security/auth.test.ts'],
  },
];

/** How often `find` occurs in `source`: a mutant applies only when it is exactly once. */
export function occurrences(source: string, find: string): number {
  let count = 0;
  for (let at = source.indexOf(find); at >= 0; at = source.indexOf(find, at + 1)) count++;
  return count;
}
