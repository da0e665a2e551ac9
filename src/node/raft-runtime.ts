// Drives the pure Raft core: ticks on a timer, persists each Ready through NodeStorage before sending,
// applies committed entries to the key-value map, and turns results into settled promises.

import {
  decodeCodeVersion,
  decodeMembership,
  RaftNode,
  type ConfChange,
  type ElectionMode,
  type FailureCode,
  type Message,
  type NodeId,
  type RaftResult,
  type Ready,
} from '../raft/index.js';
import type { NodeStorage, RecoveredState } from './storage/index.js';
import type { EventLog } from './event-log.js';
import { KvStateMachine } from './kv-state-machine.js';
import { BINARY_COMMANDS_VERSION } from './kv-command.js';
import { mustPersistHardState, sendableBeforePersist } from './persist-policy.js';
import { systemClock, type RuntimeClock } from './runtime-clock.js';

export interface RuntimeOptions {
  self: NodeId;
  /** Initial voters for a new cluster; [] for a member that joins an existing one. */
  voters: NodeId[];
  electionMode: ElectionMode;
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** Compact the log once this many entries were applied since the last snapshot. */
  compactEvery: number;
  /** How long a client request may wait for the log before it is answered with a failure. */
  requestTimeoutMs: number;
  storage: NodeStorage;
  recovered: RecoveredState;
  log: EventLog;
  /** Hands a message to the peer transport; delivery is best effort, as Raft expects. */
  send: (message: Message) => void;
  /** Timers and time; the simulator passes virtual ones (default: the process's). */
  clock?: RuntimeClock;
  /** The election timer's random source (default Math.random); the simulator seeds it. */
  random?: () => number;
}

/** Why a request failed: the core's code, or the runtime's own when the core never answered. */
export interface RuntimeFailure {
  ok: false;
  /** unknownOutcome also when no answer came within the request timeout (it may still be applied). */
  code: FailureCode | 'shuttingDown';
  reason: string;
}
export type Outcome<T> = ({ ok: true } & T) | RuntimeFailure;
type TransferOutcome = Outcome<{ leader: NodeId }> & { leader?: NodeId | null };
type RequestAnswer = RaftResult | { type: 'timeout' } | { type: 'readState'; index: number } | { type: 'stopped' };

interface Pending {
  settle: (result: RaftResult | { type: 'timeout' } | { type: 'stopped' }) => void;
  /** clock.now() past which it is answered with a timeout. */
  deadline: number;
}

/** While the disk keeps failing, retry persisting at most this often instead of on every event. */
const FAULT_RETRY_MS = 250;
/** Tries of a transfer (or of removing the leader, which transfers first) that timed out while the leader still led. */
const TRANSFER_ATTEMPTS = 3;

export class RaftRuntime {
  readonly raft: RaftNode;
  readonly kv = new KvStateMachine();
  readonly startedAt = performance.now();
  /** In the order made, which is also deadline order: every request gets the same timeout. */
  #pending = new Map<string, Pending>();
  /** One timer for the oldest pending request's deadline, not one per request: cancels it. */
  #cancelExpiry: (() => void) | null = null;
  #readsWaitingApply: { index: number; resolve: () => void }[] = [];
  #nextRequest = 1;
  readonly #clock: RuntimeClock;
  readonly #requestPrefix: string;
  #stopTicking: (() => void) | undefined;
  #scheduled = false;
  #dirty = false;
  #draining: Promise<void> | null = null;
  #stopped = false;
  #storageFault: string | null = null;
  #retryPersistAt = 0;
  #leaderCommit = 0;
  #lastLeader: NodeId | null = null;
  #lastRole = 'follower';

  constructor(private readonly options: RuntimeOptions) {
    const { recovered } = options;
    this.#clock = options.clock ?? systemClock;
    this.#requestPrefix = `${process.pid.toString(36)}.${Math.floor(this.#clock.now()).toString(36)}.`;
    if (recovered.snapshot) this.kv.restore(recovered.snapshot.data, recovered.snapshot.meta.index, recovered.snapshot.meta.codeVersion);
    this.raft = new RaftNode({
      id: options.self,
      voters: options.voters,
      electionMode: options.electionMode,
      supportedCodeVersion: BINARY_COMMANDS_VERSION,
      electionTicks: options.electionTicks,
      heartbeatTicks: options.heartbeatTicks,
      random: options.random ?? Math.random,
      hardState: recovered.hardState,
      entries: recovered.entries,
      snapshot: recovered.snapshot,
    });
    this.#leaderCommit = recovered.hardState.commit;
  }

  start(): void {
    this.#stopTicking = this.#clock.every(this.options.tickMs, () => {
      this.raft.tick();
      this.#schedule();
    });
    this.#schedule();
  }

  get storageFault(): string | null {
    return this.#storageFault;
  }

  /** The leader's commit index as last heard (our own when we lead). */
  get leaderCommit(): number {
    const soft = this.raft.softState();
    return soft.role === 'leader' ? soft.commit : Math.max(this.#leaderCommit, soft.commit);
  }

  step(message: Message): void {
    if (this.#stopped) return;
    if ((message.type === 'append' || message.type === 'heartbeat') && typeof message.commit === 'number') {
      this.#leaderCommit = Math.max(this.#leaderCommit, message.commit);
    }
    this.raft.step(message);
    this.#schedule();
  }

  /** Resolves once the command committed and is applied here; a failure may still have committed (unknown outcome). */
  async propose(data: Uint8Array): Promise<Outcome<{ index: number }>> {
    const result = await this.#request((id) => this.raft.propose(data, id));
    if (result.type === 'proposal') return result.ok ? { ok: true, index: result.index } : failure(result);
    return this.#failure(result);
  }

  /** Made on any member: the core forwards it to the leader; removing the leader hands leadership over first. */
  async changeMembership(change: ConfChange): Promise<Outcome<{ index: number }>> {
    const result = await this.#retryingHandover(`${change.type} ${change.node}`, (id) => this.raft.proposeConfChange(change, id));
    if (result.type === 'confChange') return result.ok ? { ok: true, index: result.index } : failure(result);
    return this.#failure(result);
  }

  async setVersion(version: number): Promise<Outcome<{ index: number }>> {
    const result = await this.#request((id) => this.raft.proposeVersion(version, id));
    if (result.type === 'version') return result.ok ? { ok: true, index: result.index } : failure(result);
    return this.#failure(result);
  }

  /**
   * Resolves ok only once the target leads a newer term; a refusal or a lost race carries the reason.
   * Made on a follower, the core forwards it to the leader.
   */
  async transfer(target: NodeId | 'auto', attempts = TRANSFER_ATTEMPTS): Promise<TransferOutcome> {
    const result = await this.#retryingHandover(`hand leadership to ${target}`, (id) => this.raft.transferLeadership(target, id), attempts);
    if (result.type !== 'transfer') return this.#failure(result);
    return result.ok ? { ok: true, leader: result.leader } : { ...failure(result), leader: result.leader };
  }

  /**
   * The core gives a transfer one election timeout; on a busy machine (an fsync stalls the target's
   * campaign) that can pass while the leader still leads, so such a timeout is tried again a few times.
   */
  async #retryingHandover(what: string, submit: (id: string) => void, attempts = TRANSFER_ATTEMPTS): Promise<RequestAnswer> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.#request(submit);
      if (!('ok' in result) || result.ok || result.code !== 'transferTimedOut') return result;
      if (attempt >= attempts) return attempt > 1 ? { ...result, reason: `${result.reason} (${attempt} attempts)` } : result;
      this.options.log.event('transfer', `attempt ${attempt} to ${what} timed out; trying again`);
    }
  }

  /** The member's election mode from now on (a drain or undrain); the core refuses to leave no member able to lead. */
  setElectionMode(mode: ElectionMode): Outcome<object> {
    const result = this.raft.setElectionMode(mode);
    this.#schedule();
    return result;
  }

  /**
   * A linearizable read point (ReadIndex, thesis 6.4): resolves once the leader confirmed its quorum
   * after the read arrived and this member has applied up to the index the leader named.
   */
  async readBarrier(): Promise<Outcome<{ index: number }>> {
    const result = await this.#request((id) => this.raft.readIndex(id));
    if (result.type === 'readState') {
      const index = result.index;
      if (this.kv.lastApplied < index) await new Promise<void>((resolve) => this.#readsWaitingApply.push({ index, resolve }));
      return { ok: true, index };
    }
    if (result.type === 'read') return failure(result);
    return this.#failure(result);
  }

  /** Stops ticking and waits for the Ready in progress; the caller then closes storage. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopTicking?.();
    while (this.#draining) await this.#draining;
    await this.#saveCommit();
    this.#cancelExpiry?.();
    this.#cancelExpiry = null;
    for (const [id, p] of this.#pending) {
      p.settle({ type: 'stopped' });
      this.#pending.delete(id);
    }
  }

  // ---- requests -----------------------------------------------------------------------------------

  #request(submit: (id: string) => void): Promise<RequestAnswer> {
    if (this.#stopped) return Promise.resolve({ type: 'stopped' });
    const id = this.#requestPrefix + String(this.#nextRequest++);
    return new Promise((resolve) => {
      this.#pending.set(id, { settle: resolve as Pending['settle'], deadline: this.#clock.now() + this.options.requestTimeoutMs });
      this.#armExpiry();
      submit(id);
      this.#schedule();
    });
  }

  /** Keeps the expiry timer set for the oldest pending request while any is pending. */
  #armExpiry(): void {
    if (this.#cancelExpiry !== null || this.#stopped) return;
    const oldest = this.#pending.values().next();
    if (oldest.done) return;
    this.#cancelExpiry = this.#clock.after(Math.max(0, oldest.value.deadline - this.#clock.now()), () => {
      this.#cancelExpiry = null;
      const now = this.#clock.now();
      for (const [id, p] of this.#pending) {
        if (p.deadline > now) break;
        this.#pending.delete(id);
        p.settle({ type: 'timeout' });
      }
      this.#armExpiry();
    });
  }

  #failure(result: { type: string }): RuntimeFailure {
    if (result.type === 'timeout') return { ok: false, code: 'unknownOutcome', reason: `no outcome within ${this.options.requestTimeoutMs} ms (it may still be applied)` };
    if (result.type === 'stopped') return { ok: false, code: 'shuttingDown', reason: 'the node is shutting down' };
    return { ok: false, code: 'unknownOutcome', reason: `unexpected ${result.type} result` };
  }

  #settle(id: unknown, result: RaftResult | { type: 'readState'; index: number }): void {
    if (typeof id !== 'string') return;
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    p.settle(result as RaftResult);
  }

  // ---- the Ready loop -----------------------------------------------------------------------------

  /** One drain per event-loop turn: every message and request that arrived meanwhile shares one persist. */
  #schedule(): void {
    this.#dirty = true;
    if (this.#scheduled || this.#draining || this.#stopped) return;
    this.#scheduled = true;
    this.#clock.soon(() => {
      this.#scheduled = false;
      if (this.#draining || this.#stopped) return;
      this.#dirty = false;
      this.#draining = this.#drain().finally(() => {
        this.#draining = null;
        // Work that arrived while the disk was busy is handled now, not at the next tick.
        if (this.#dirty) this.#schedule();
      });
    });
  }

  async #drain(): Promise<void> {
    for (let batches = 0; !this.#stopped; batches++) {
      if (batches === 64) {
        this.#dirty = true;
        return;
      }
      const rd = this.raft.ready();
      if (!rd) return;
      const early = sendableBeforePersist(rd, this.options.storage.hardState, this.#storageFault !== null);
      for (const m of early) this.options.send(m);
      if (!(await this.#persist(rd))) return;
      for (const m of rd.messages) if (!early.has(m)) this.options.send(m);
      this.#apply(rd);
      this.raft.advance(rd);
      this.#noticeRoleChanges();
      await this.#maybeCompact();
    }
  }

  async #persist(rd: Ready): Promise<boolean> {
    const needsDisk = rd.snapshot !== undefined || rd.entries.length > 0 || rd.hardState !== undefined;
    if (!needsDisk) return true;
    if (this.#storageFault !== null && this.#clock.now() < this.#retryPersistAt) {
      this.raft.reportStorageFailure(this.#storageFault);
      return false;
    }
    const { storage } = this.options;
    try {
      if (rd.snapshot) {
        await storage.saveSnapshot(rd.snapshot);
        await storage.truncateSuffix(rd.snapshot.meta.index + 1);
      }
      if (rd.entries.length > 0) await storage.append(rd.entries);
      if (rd.hardState && mustPersistHardState(rd.hardState, storage.hardState)) await storage.saveHardState(rd.hardState);
    } catch (err) {
      this.#reportFault(err);
      this.raft.reportStorageFailure(this.#storageFault!);
      return false;
    }
    if (rd.snapshot) {
      this.kv.restore(rd.snapshot.data, rd.snapshot.meta.index, rd.snapshot.meta.codeVersion);
      this.options.log.event('snapshot', `installed the leader's snapshot at index ${rd.snapshot.meta.index}`);
    }
    return true;
  }

  /** Records the latest commit index on a clean stop, so a restart applies everything at once. */
  async #saveCommit(): Promise<void> {
    if (this.#storageFault !== null) return;
    const s = this.raft.status();
    await this.options.storage.saveHardState({ term: s.term, vote: s.vote, commit: s.commit }).catch(() => undefined);
  }

  #reportFault(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    if (this.#storageFault !== text) this.options.log.event('storage', `write failed, refusing to acknowledge anything not on disk: ${text}`);
    this.#storageFault = text;
    this.#retryPersistAt = this.#clock.now() + FAULT_RETRY_MS;
  }

  #apply(rd: Ready): void {
    for (const entry of rd.committed) {
      if (entry.index <= this.kv.lastApplied) continue;
      if (entry.kind === 'command') this.kv.applyCommand(entry.index, entry.data);
      else if (entry.kind === 'version') this.kv.enableCodeVersion(entry.index, decodeCodeVersion(entry.data));
      else {
        this.kv.skip(entry.index);
        if (entry.kind === 'config') {
          const m = decodeMembership(entry.data);
          this.options.log.event('membership', `committed at ${entry.index}: voters ${m.voters.join(',') || '-'}; learners ${m.learners.join(',') || '-'}`);
        }
      }
    }
    for (const rs of rd.readStates) this.#settle(rs.requestId, { type: 'readState', index: rs.index });
    for (const result of rd.results) {
      if (result.type === 'storageFailure') {
        if (result.steppedDown) this.options.log.event('storage', `stepped down after a storage failure: ${result.reason}`);
      } else if (result.type === 'transfer') {
        this.options.log.event(
          'transfer',
          result.ok ? `leadership handed to ${result.leader}` : `transfer failed: ${result.reason}`,
        );
        this.#settle(result.requestId, result);
      } else this.#settle(result.requestId, result);
    }
    const waiting = this.#readsWaitingApply;
    if (waiting.length > 0) {
      this.#readsWaitingApply = waiting.filter((w) => {
        if (w.index > this.kv.lastApplied) return true;
        w.resolve();
        return false;
      });
    }
  }

  #noticeRoleChanges(): void {
    const soft = this.raft.softState();
    if (soft.role !== this.#lastRole) {
      if (soft.role === 'candidate') this.options.log.event('election', `campaigning in term ${soft.term}`);
      else if (soft.role === 'leader') this.options.log.event('election', `won: leader of term ${soft.term}`);
      else if (this.#lastRole === 'leader') this.options.log.event('election', `stepped down in term ${soft.term}`);
      this.#lastRole = soft.role;
    }
    if (soft.leader !== this.#lastLeader) {
      this.options.log.event('leader', soft.leader === null ? `no leader known (term ${soft.term})` : `${soft.leader} leads term ${soft.term}`);
      this.#lastLeader = soft.leader;
    }
  }

  async #maybeCompact(): Promise<void> {
    const soft = this.raft.softState();
    const applied = this.kv.lastApplied;
    // A snapshot serializes the whole map: taken at most once per half as many entries as the map
    // holds keys, it costs each write at most two keys' worth however large the map grows.
    if (applied - soft.snapshotIndex < Math.max(this.options.compactEvery, this.kv.size / 2) || this.#storageFault !== null) return;
    const snapshot = this.raft.compact(applied, this.kv.serialize());
    try {
      await this.options.storage.saveSnapshot(snapshot);
      this.options.log.event('snapshot', `compacted the log up to index ${applied} (${this.kv.size} keys)`);
    } catch (err) {
      this.#reportFault(err);
    }
  }
}

/** The failure part of a failed result, without its type and request id. */
function failure(result: { code: FailureCode; reason: string }): RuntimeFailure {
  return { ok: false, code: result.code, reason: result.reason };
}
