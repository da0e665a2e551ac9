// Raft's safety properties (thesis figure 3.2), checked incrementally as the simulated cluster runs.
import type { Entry, NodeId } from '../../src/raft/index.js';

const decoder = new TextDecoder();

/** What an entry is, independent of the object holding it. */
export function entryKey(e: Entry): string {
  return `${e.kind}:${decoder.decode(e.data)}`;
}

/** Each check records a violation instead of throwing, so a schedule reports all it found with its seed. */
export class SafetyChecker {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Every (index, term) ever persisted: which entry it is and the term before it (Log Matching, by induction). */
  private readonly created = new Map<string, { key: string; prevTerm: number }>();
  /** Committed entries, learned from applies: index -> term and key. */
  readonly committed = new Map<number, { term: number; key: string }>();
  /** Proposals a client was told succeeded: index -> key. */
  readonly acknowledged = new Map<number, string>();

  constructor(private readonly where: () => string) {}

  private readonly reported = new Set<string>();
  /** "voter|term" -> the candidate it granted its vote to. */
  private readonly votes = new Map<string, NodeId>();

  private fail(what: string): void {
    if (this.reported.has(what)) return;
    this.reported.add(what);
    if (this.violations.length < 20) this.violations.push(`${this.where()}: ${what}`);
  }

  /** Election Safety: at most one leader per term. */
  leader(id: NodeId, term: number, termOf: (index: number) => number | undefined, snapshotIndex: number): void {
    const known = this.leaderOfTerm.get(term);
    if (known === id) return;
    if (known !== undefined) return this.fail(`two leaders in term ${term}: ${known} and ${id}`);
    this.leaderOfTerm.set(term, id);
    // Leader Completeness: a new leader holds every entry committed so far.
    for (const [index, c] of this.committed) {
      if (index <= snapshotIndex) continue;
      const t = termOf(index);
      if (t !== c.term) this.fail(`leader ${id} of term ${term} lacks committed entry ${index} (term ${c.term}, has ${t})`);
    }
  }

  /** Election Safety's premise: a member grants at most one vote per term, whatever crashes in between. */
  granted(voter: NodeId, term: number, candidate: NodeId): void {
    const k = `${voter}|${term}`;
    const before = this.votes.get(k);
    if (before === undefined) this.votes.set(k, candidate);
    else if (before !== candidate) this.fail(`${voter} voted twice in term ${term}: for ${before}, then for ${candidate}`);
  }

  /** Log Matching: an (index, term) pair names one entry, always preceded by the same term. */
  persisted(id: NodeId, entries: readonly Entry[], prevTerm: number): void {
    let before = prevTerm;
    for (const e of entries) {
      const k = `${e.index}:${e.term}`;
      const key = entryKey(e);
      const c = this.created.get(k);
      if (!c) this.created.set(k, { key, prevTerm: before });
      else if (c.key !== key || c.prevTerm !== before) {
        this.fail(`log matching broken on ${id} at ${k}: ${key} after term ${before}, elsewhere ${c.key} after term ${c.prevTerm}`);
      }
      before = e.term;
    }
  }

  /** State Machine Safety: no two members apply different entries at one index. */
  applied(id: NodeId, e: Entry): void {
    const key = entryKey(e);
    const c = this.committed.get(e.index);
    if (!c) {
      this.committed.set(e.index, { term: e.term, key });
      const acked = this.acknowledged.get(e.index);
      if (acked !== undefined && acked !== key) this.fail(`acknowledged entry ${e.index} (${acked}) replaced by ${key} on ${id}`);
    } else if (c.key !== key || c.term !== e.term) {
      this.fail(`${id} applied ${key} (term ${e.term}) at ${e.index}, another member applied ${c.key} (term ${c.term})`);
    }
  }

  /** Nothing acknowledged is lost: each acknowledged entry above the snapshot is in the final leader's log. */
  lostAcknowledged(leader: { softState(): { snapshotIndex: number }; entries(lo: number, hi: number): Entry[] }): string[] {
    const snapshotIndex = leader.softState().snapshotIndex;
    const lost: string[] = [];
    for (const [index, key] of this.acknowledged) {
      if (index <= snapshotIndex) continue;
      const e = leader.entries(index, index + 1)[0];
      const found = e ? entryKey(e) : 'nothing';
      if (found !== key) lost.push(`acknowledged ${key} at ${index} is ${found} in the final leader's log`);
    }
    return lost;
  }

  /** A proposal reported as committed must be the entry committed at its index, forever. */
  acknowledgedAt(id: NodeId, index: number, key: string): void {
    const c = this.committed.get(index);
    if (c && c.key !== key) this.fail(`${id} acknowledged ${key} at ${index} but ${c.key} is committed there`);
    this.acknowledged.set(index, key);
  }
}
