// Checks a recorded key-value history: linearizability per key (a register with set, get and del) and
// the survival of acknowledged writes.
//
// The search is Wing and Gong's, with Lowe's memoization of (set of linearized operations, register
// state) as Porcupine implements it (Horn and Kroening, "Faster linearizability checking via
// P-compositionality", 2015): keys are independent registers, so each key is checked alone.

import { describeOp, type HistoryOp } from './history.js';

export type Verdict = 'ok' | 'violation' | 'inconclusive';

export interface KeyResult {
  key: string;
  verdict: Verdict;
  operations: number;
  steps: number;
  /** For a violation: the operation no linearization could get past, and those overlapping it. */
  explanation?: string;
}

export interface CheckResult {
  verdict: Verdict;
  keys: KeyResult[];
}

export interface CheckOptions {
  /** Search steps per key before giving up as inconclusive. */
  maxStepsPerKey?: number;
}

type RegisterState = string | null;

interface Entry {
  isCall: boolean;
  op: HistoryOp;
  /** Dense index of the operation within its key, for the linearized bitset. */
  index: number;
  time: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * What the checker considers: acknowledged operations, and writes whose outcome is unknown (as
 * possibly applied at any time after their invocation). Failed operations and unanswered reads
 * constrain nothing and are left out. So is an unknown set whose (unique) value no read returned:
 * any linearization with it has one without it (no read sits between it and the next write), and
 * with it the search would carry it as pending forever.
 */
export function relevantOps(ops: readonly HistoryOp[]): HistoryOp[] {
  const observed = new Set<string>();
  for (const op of ops) if (op.kind === 'get' && op.status === 'ok' && op.value !== null) observed.add(`${op.key}\u0000${op.value}`);
  return ops.filter((op) => {
    if (op.status === 'ok') return true;
    if (op.status !== 'unknown' || op.kind === 'get') return false;
    return op.kind === 'del' || observed.has(`${op.key}\u0000${op.value}`);
  });
}

export function checkHistory(ops: readonly HistoryOp[], options: CheckOptions = {}): CheckResult {
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of relevantOps(ops)) {
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, list]) => checkKey(key, list, options.maxStepsPerKey ?? 5_000_000));
  const verdict: Verdict = keys.some((k) => k.verdict === 'violation') ? 'violation' : keys.some((k) => k.verdict === 'inconclusive') ? 'inconclusive' : 'ok';
  return { verdict, keys };
}

function step(state: RegisterState, op: HistoryOp): { ok: boolean; state: RegisterState } {
  switch (op.kind) {
    case 'set':
      return { ok: true, state: op.value };
    case 'del':
      return { ok: true, state: null };
    case 'get':
      return { ok: op.value === state, state };
  }
}

function buildList(ops: HistoryOp[]): Entry {
  const entries: Entry[] = [];
  ops.forEach((op, index) => {
    const call: Entry = { isCall: true, op, index, time: op.call, match: null, prev: null, next: null };
    const ret: Entry = { isCall: false, op, index, time: op.ret, match: null, prev: null, next: null };
    call.match = ret;
    entries.push(call, ret);
  });
  // At equal times calls come first: treating the two operations as overlapping can only hide an
  // ordering, never invent a violation.
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Entry = { isCall: false, op: ops[0]!, index: -1, time: -Infinity, match: null, prev: null, next: null };
  let last = head;
  for (const e of entries) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function lift(entry: Entry): void {
  entry.prev!.next = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  const match = entry.match!;
  match.prev!.next = match.next;
  if (match.next) match.next.prev = match.prev;
}

function unlift(entry: Entry): void {
  const match = entry.match!;
  match.prev!.next = match;
  if (match.next) match.next.prev = match;
  entry.prev!.next = entry;
  if (entry.next) entry.next.prev = entry;
}

/**
 * Explored (linearized set, state) pairs. A set is identified by two independent 32-bit XOR hashes of
 * random per-operation tags, so memory stays O(states) rather than O(states x operations); a collision
 * (odds around states^2 / 2^64) could only prune a branch, never accept a history.
 */
class Explored {
  readonly #seen = new Set<string>();

  /** True when new (and now recorded). */
  add(h1: number, h2: number, state: RegisterState): boolean {
    const key = `${h1}:${h2}:${state === null ? '\u0000' : state}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
}

function tagsFor(n: number, salt: number): Uint32Array {
  const tags = new Uint32Array(n);
  let x = salt >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x + 0x6d2b79f5) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    tags[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return tags;
}

function checkKey(key: string, ops: HistoryOp[], maxSteps: number): KeyResult {
  const operations = ops.length;
  if (operations === 0) return { key, verdict: 'ok', operations, steps: 0 };
  const head = buildList(ops);
  const tags1 = tagsFor(operations, 0x243f6a88);
  const tags2 = tagsFor(operations, 0x85a308d3);
  const explored = new Explored();
  const stack: { entry: Entry; state: RegisterState }[] = [];
  let state: RegisterState = null;
  let h1 = 0;
  let h2 = 0;
  let entry = head.next;
  let steps = 0;
  let deepest = -1;
  let stuckAt: HistoryOp | null = null;
  while (head.next !== null) {
    if (++steps > maxSteps) return { key, verdict: 'inconclusive', operations, steps };
    if (entry !== null && entry.isCall) {
      const result = step(state, entry.op);
      if (result.ok) {
        const n1 = (h1 ^ tags1[entry.index]!) >>> 0;
        const n2 = (h2 ^ tags2[entry.index]!) >>> 0;
        if (explored.add(n1, n2, result.state)) {
          stack.push({ entry, state });
          state = result.state;
          h1 = n1;
          h2 = n2;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      // A response whose operation is not linearized yet: backtrack.
      if (stack.length > deepest && entry !== null) {
        deepest = stack.length;
        stuckAt = entry.op;
      }
      const top = stack.pop();
      if (top === undefined) return { key, verdict: 'violation', operations, steps, explanation: explain(ops, stuckAt ?? ops[0]!) };
      state = top.state;
      h1 = (h1 ^ tags1[top.entry.index]!) >>> 0;
      h2 = (h2 ^ tags2[top.entry.index]!) >>> 0;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { key, verdict: 'ok', operations, steps };
}

function explain(ops: HistoryOp[], stuck: HistoryOp): string {
  const overlapping = ops.filter((op) => op !== stuck && op.call <= stuck.ret && op.ret >= stuck.call - 2000).slice(-12);
  const before = ops.filter((op) => op.ret < stuck.call).sort((a, b) => b.ret - a.ret).slice(0, 4);
  const sameValue = stuck.kind === 'get' && stuck.value !== null ? ops.filter((op) => op !== stuck && op.value === stuck.value).slice(0, 12) : [];
  return [
    `no linearization gets past ${describeOp(stuck)}`,
    ...sameValue.map((op) => `  same value: ${describeOp(op)}`),
    ...before.reverse().map((op) => `  before: ${describeOp(op)}`),
    ...overlapping.map((op) => `  overlapping: ${describeOp(op)}`),
  ].join('\n');
}

export interface LostWrite {
  key: string;
  write: HistoryOp;
  finalValue: string | null;
  explanation: string;
}

/**
 * After a healed cluster answered a linearizable read of every key: an acknowledged write is lost
 * when the final value can only come from writes (or the initial absence) that all completed
 * before that acknowledged write was even invoked.
 */
export function findLostWrites(ops: readonly HistoryOp[], finalValues: ReadonlyMap<string, string | null>): LostWrite[] {
  const lost: LostWrite[] = [];
  for (const [key, finalValue] of finalValues) {
    const writes = ops.filter((op) => op.key === key && op.kind !== 'get' && op.status !== 'fail');
    const producers = writes.filter((w) => (finalValue === null ? w.kind === 'del' : w.kind === 'set' && w.value === finalValue));
    if (finalValue !== null && producers.length === 0) {
      lost.push({ key, write: writes[0] ?? ({} as HistoryOp), finalValue, explanation: `final value ${JSON.stringify(finalValue)} of ${key} was never written` });
      continue;
    }
    // The latest any producer could have taken effect (the initial absence counts as -Infinity).
    const latestProducer = Math.max(-Infinity, ...producers.map((p) => p.ret));
    for (const w of writes) {
      if (w.status !== 'ok' || producers.includes(w)) continue;
      if (w.call > latestProducer) {
        lost.push({ key, write: w, finalValue, explanation: `acknowledged ${describeOp(w)} was overwritten by nothing yet the final value is ${JSON.stringify(finalValue)}` });
        break;
      }
    }
  }
  return lost;
}
