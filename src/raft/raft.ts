// The Raft state machine: logical ticks, messages and local requests in; a Ready batch out. No I/O, no clock.
import { decodeCodeVersion, encodeCodeVersion, refuseCodeVersion } from './code-version.js';
import { RaftLog } from './log.js';
import {
  checkConfChange,
  decodeConfChange,
  decodeMembership,
  encodeConfChange,
  encodeMembership,
  isMember,
  membersOf,
  promote,
  type ConfChange,
  type Membership,
} from './membership.js';
import type { Message, RequestId } from './messages.js';
import { Progress, type PeerInfo, type ProgressState } from './progress.js';
import { hasMajority, quorumIndex, voteOutcome } from './quorum.js';
import { ReadIndexTracker } from './read-index.js';
import { AppendedRequests, ForwardedRequests, failure, type HeldRequest } from './requests.js';
import type { RaftResult, ReadState, Ready } from './results.js';
import { TransferTracker, type TransferPhase } from './transfer.js';
import type { ElectionMode, Entry, EntryKind, HardState, NodeId, Snapshot } from './types.js';

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface RaftConfig {
  id: NodeId;
  /** Initial voters, used only while neither the log nor a snapshot holds a configuration. A node that
   *  joins an existing cluster starts with [] and learns the membership from the leader. */
  voters: NodeId[];
  learners?: NodeId[];
  /** Default `candidate`. Every mode votes (Tarantool PR 12696). */
  electionMode?: ElectionMode;
  /** Ticks without a leader before campaigning; randomized in [electionTicks, 2 * electionTicks). Default 10. */
  electionTicks?: number;
  /** Ticks between a leader's heartbeats. Default 1. */
  heartbeatTicks?: number;
  /** Uniform in [0, 1); injected so tests and the simulator are reproducible. */
  random: () => number;
  /** Appends in flight per follower while replicating. Default 64. */
  maxInflight?: number;
  /** Data bytes per append message (at least one entry is always sent). Default 1 MiB. */
  maxBatchBytes?: number;
  /** Requests a leader holds during a transfer, or a follower holds while it knows no leader. Default 1000. */
  maxHeldProposals?: number;
  /** The highest code version this build can run. Default 0. */
  supportedCodeVersion?: number;
  /** PreVote (thesis 9.6). Default true. */
  preVote?: boolean;
  /** CheckQuorum and leader stickiness (thesis 6.2, 4.2.3). Default true. */
  checkQuorum?: boolean;
  /** Restored durable state: all of it comes from what earlier Readies told the shell to persist. */
  hardState?: HardState;
  /** Stored entries after the snapshot, in order. */
  entries?: Entry[];
  snapshot?: Snapshot | null;
  /** The index the shell's state machine already holds when it is durable itself; default the snapshot index. */
  applied?: number;
}

export interface PeerStatus {
  id: NodeId;
  voter: boolean;
  mode: ElectionMode | null;
  supportedCodeVersion: number | null;
  /** Leader only. */
  match: number | null;
  next: number | null;
  state: ProgressState | null;
  recentActive: boolean | null;
}

export interface RaftStatus {
  id: NodeId;
  role: Role | 'learner';
  term: number;
  vote: NodeId | null;
  leader: NodeId | null;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  /** Entries held after the snapshot. */
  logLength: number;
  electionMode: ElectionMode;
  voters: NodeId[];
  learners: NodeId[];
  enabledCodeVersion: number;
  supportedCodeVersion: number;
  peers: PeerStatus[];
  /** Leader: a majority was heard from within the current election timeout. Others: a live leader is known. */
  hasQuorum: boolean;
  transfer: { target: NodeId; phase: TransferPhase; elapsed: number } | null;
}

type OutgoingMessage = Omit<Message, 'from' | 'term' | 'mode' | 'supportedCodeVersion'> & { term?: number };

/** `candidate` and `manual` members can lead (manual through a transfer or a promote); `voter` never does. */
function ableToLead(mode: ElectionMode | undefined): boolean {
  return mode === 'candidate' || mode === 'manual';
}

export class RaftNode {
  readonly id: NodeId;
  #mode: ElectionMode;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly random: () => number;
  private readonly maxInflight: number;
  private readonly maxBatchBytes: number;
  private readonly maxHeldProposals: number;
  private readonly supportedCodeVersion: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;

  private term: number;
  private vote: NodeId | null;
  private lead: NodeId | null = null;
  private role: Role = 'follower';
  private readonly log: RaftLog;
  private snapshot: Snapshot | null;
  /** The configuration of the latest config entry in the log (thesis 4.1: used as soon as appended). */
  private membership: Membership;
  private membershipIndex = 0;
  /** The configuration and code version as of the snapshot, for when no later entry changes them. */
  private baseMembership: Membership;
  private baseCodeVersion: number;
  private enabledCodeVersion: number;

  private readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  private readonly peers = new Map<NodeId, PeerInfo>();
  private electionElapsed = 0;
  /** Ticks since this node last became leader. */
  private leaderTicks = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;

  private readonly transfer = new TransferTracker();
  /** Requests held by a leader while a transfer runs (thesis 3.10: stop accepting new requests). */
  private held: HeldRequest[] = [];
  /** Config and version requests a new leader keeps until it has committed an entry of its own term. */
  private deferred: HeldRequest[] = [];
  private readonly appended = new AppendedRequests();
  private readonly forwarded = new ForwardedRequests();
  private readonly reads = new ReadIndexTracker();
  private forwardedReads: { requestId: RequestId; elapsed: number }[] = [];
  private nextRequestNumber = 1;

  private msgs: Message[] = [];
  private results: RaftResult[] = [];
  private readStates: ReadState[] = [];
  private persisted: HardState;
  private readyInFlight: Ready | null = null;

  constructor(config: RaftConfig) {
    this.id = config.id;
    this.#mode = config.electionMode ?? 'candidate';
    this.electionTicks = config.electionTicks ?? 10;
    this.heartbeatTicks = config.heartbeatTicks ?? 1;
    if (this.heartbeatTicks >= this.electionTicks) throw new RangeError('heartbeatTicks must be below electionTicks');
    this.random = config.random;
    this.maxInflight = config.maxInflight ?? 64;
    this.maxBatchBytes = config.maxBatchBytes ?? 1 << 20;
    this.maxHeldProposals = config.maxHeldProposals ?? 1000;
    this.supportedCodeVersion = config.supportedCodeVersion ?? 0;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;

    const snapshot = config.snapshot ?? null;
    const hardState = config.hardState ?? { term: 0, vote: null, commit: 0 };
    this.snapshot = snapshot;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.persisted = { ...hardState };
    const snapIndex = snapshot?.meta.index ?? 0;
    this.log = new RaftLog(snapIndex, snapshot?.meta.term ?? 0, [...(config.entries ?? [])], hardState.commit, config.applied ?? snapIndex);
    this.baseMembership = snapshot
      ? { voters: [...snapshot.meta.voters], learners: [...snapshot.meta.learners] }
      : { voters: [...config.voters], learners: [...(config.learners ?? [])] };
    this.baseCodeVersion = snapshot?.meta.codeVersion ?? 0;
    this.membership = this.baseMembership;
    this.refreshMembership();
    this.enabledCodeVersion = this.codeVersionAt(this.log.committed);
    this.becomeFollower(this.term, null);
  }

  // ---- inputs -------------------------------------------------------------------------------------

  /** Advances logical time by one tick. */
  tick(): void {
    this.tickForwarded();
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Feeds one message from another member. Messages not addressed to this node are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    this.peers.set(m.from, { mode: m.mode, supportedCodeVersion: m.supportedCodeVersion });
    switch (m.type) {
      case 'propose':
        return this.onForwardedRequest(m);
      case 'proposeResp':
        return this.onProposeResp(m);
      case 'readIndex':
        return this.onForwardedRead(m);
      case 'readIndexResp':
        return this.onReadIndexResp(m);
    }
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.forced && this.inLease()) {
        // Leader stickiness (thesis 4.2.3): while a live leader is known, a disruptive candidate is ignored.
        return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // A pre-vote asks about a future term; nobody adopts it.
      } else {
        const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
        this.becomeFollower(m.term, fromLeader ? m.from : null);
      }
    } else if (m.term < this.term) {
      if (m.type === 'append' || m.type === 'heartbeat') {
        // A deposed leader must learn the new term, or CheckQuorum could leave it leading alone.
        this.send({ type: 'appendResp', to: m.from, index: this.log.lastIndex() });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'preVote') return this.onVoteRequest(m);
    switch (this.role) {
      case 'leader':
        return this.stepLeader(m);
      case 'candidate':
      case 'preCandidate':
        return this.stepCandidate(m);
      case 'follower':
        return this.stepFollower(m);
    }
  }

  /** Proposes a command; the outcome comes back as a `proposal` result with this request id. */
  propose(data: Uint8Array, requestId?: RequestId): RequestId {
    const id = requestId ?? this.newRequestId();
    this.submit({ requestId: id, kind: 'command', data, origin: this.id });
    return id;
  }

  /** Single-server membership change (thesis 4.1); the outcome comes back as a `confChange` result. */
  proposeConfChange(change: ConfChange, requestId?: RequestId): RequestId {
    const id = requestId ?? this.newRequestId();
    this.submit({ requestId: id, kind: 'config', data: encodeConfChange(change), origin: this.id });
    return id;
  }

  /** Enables a code version cluster-wide (PySyncObj's set_version); the outcome is a `version` result. */
  proposeVersion(version: number, requestId?: RequestId): RequestId {
    const id = requestId ?? this.newRequestId();
    this.submit({ requestId: id, kind: 'version', data: encodeCodeVersion(version), origin: this.id });
    return id;
  }

  /** A linearizable read: a ReadState (or a failed `read` result) comes back with this request id. */
  readIndex(requestId: RequestId): void {
    if (this.role === 'leader') this.leaderRead(requestId, this.id);
    else if (this.lead !== null) {
      this.send({ type: 'readIndex', to: this.lead, requestId });
      this.forwardedReads.push({ requestId, elapsed: 0 });
    } else this.results.push({ type: 'read', requestId, ok: false, reason: 'no leader is known' });
  }

  /**
   * Starts an election now, as an operator's promote does: the way a `manual` member becomes leader
   * without a transfer (say, when no leader is left to transfer from). It still runs PreVote, so it cannot
   * depose a live leader. Refused for `voter` members and for non-voters.
   */
  campaign(): { ok: true } | { ok: false; reason: string } {
    if (this.#mode === 'voter') return { ok: false, reason: `${this.id} is in voter election mode and never becomes leader` };
    if (!this.promotable()) return { ok: false, reason: `${this.id} is not a voter` };
    if (this.role === 'leader') return { ok: false, reason: `${this.id} is already the leader` };
    this.startElection(this.preVote ? 'preElection' : 'election');
    return { ok: true };
  }

  /** This member's election mode: set at construction, changed at runtime by `setElectionMode`. */
  get mode(): ElectionMode {
    return this.#mode;
  }

  /**
   * Changes this member's election mode at runtime: an operator's drain before maintenance makes it
   * `voter` (issue 10). Peers learn the new mode from this member's next message. Becoming `voter`
   * abandons a campaign in progress; a leader keeps leading until the shell hands leadership over.
   * Refused when a voter member turns `voter` while no other voter is known to be able to lead, since
   * the cluster could then never elect again: a leader knows every member's mode from its replies, a
   * follower at least the leader's.
   */
  setElectionMode(mode: ElectionMode): { ok: true } | { ok: false; reason: string } {
    if (mode === this.#mode) return { ok: true };
    if (mode === 'voter' && this.promotable()) {
      const able = this.membership.voters.filter((id) => id !== this.id && ableToLead(this.peers.get(id)?.mode));
      if (able.length === 0) return { ok: false, reason: `${this.id} is the last voter known to be able to lead: the others are in voter mode or have not been heard from` };
    }
    this.#mode = mode;
    if (mode === 'voter' && (this.role === 'candidate' || this.role === 'preCandidate')) this.becomeFollower(this.term, null);
    return { ok: true };
  }

  /**
   * Hands leadership to `target`, or with 'auto' to the most up-to-date eligible voter (thesis 3.10).
   * The `transfer` result is ok only once the target leads a newer term; refusals carry a reason.
   */
  transferLeadership(target: NodeId | 'auto', requestId: RequestId | null = null): void {
    const refuse = (reason: string): void => {
      this.results.push({ type: 'transfer', requestId, ok: false, reason, leader: this.lead });
    };
    if (this.role !== 'leader') return refuse('this node is not the leader');
    if (this.transfer.active) return refuse(`a transfer to ${this.transfer.current!.target} is already in progress`);
    const resolved = target === 'auto' ? this.pickTransferTarget() : target;
    if (resolved === null) return refuse('no other voter can take over leadership');
    const reason = this.refuseTransferTarget(resolved);
    if (reason !== null) return refuse(reason);
    this.startTransfer(resolved, requestId);
  }

  /**
   * Persisting a Ready failed: send nothing of it, apply nothing of it. Like Tarantool on a WAL error, a
   * leader (or candidate) resigns. Entries that were not written are dropped and their requests fail:
   * they were never sent, so no member holds them and nothing unpersisted is ever acknowledged. Messages
   * not handed out yet are dropped too (they may acknowledge those entries); Raft tolerates lost messages.
   * The hard state stays in memory and is offered again in the next Ready.
   */
  reportStorageFailure(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const failed = this.readyInFlight;
    this.readyInFlight = null;
    this.msgs = [];
    this.log.applying = this.log.applied;
    if (failed) {
      // Results and reads do not depend on this node's disk; losing them would leave clients hanging.
      this.results.unshift(...failed.results);
      this.readStates.unshift(...failed.readStates);
    }
    const steppedDown = this.role !== 'follower';
    if (this.role === 'leader') this.stepDown(`storage failure: ${reason}`);
    else if (steppedDown) this.becomeFollower(this.term, null);
    if (this.log.dropUnstableEntries()) {
      this.refreshMembership();
      this.results.push(...this.appended.failAbove(this.log.lastIndex(), `storage failure before it was written: ${reason}`));
    }
    this.results.push({ type: 'storageFailure', reason, steppedDown });
  }

  /**
   * The shell captured its state machine at `index` (<= applied) in `data`. Entries up to `index` are
   * dropped; the returned snapshot must be persisted by the shell, replacing its older snapshot and
   * stored entries up to `index`. Followers too far behind will be sent it. Throws a RangeError when
   * `index` is not above the current snapshot (check `softState().snapshotIndex`) or not yet applied.
   */
  compact(index: number, data: Uint8Array): Snapshot {
    if (index <= this.log.snapshotIndex) throw new RangeError(`cannot compact to ${index}: a snapshot already covers ${this.log.snapshotIndex}`);
    if (index > this.log.applied) throw new RangeError(`cannot compact to ${index}: only ${this.log.applied} is applied`);
    const membership = this.membershipAt(index).membership;
    const meta = {
      index,
      term: this.log.term(index)!,
      voters: [...membership.voters],
      learners: [...membership.learners],
      codeVersion: this.codeVersionAt(index),
    };
    this.log.compact(index);
    this.snapshot = { meta, data };
    this.baseMembership = { voters: meta.voters, learners: meta.learners };
    this.baseCodeVersion = meta.codeVersion;
    if (this.membershipIndex <= index) this.membershipIndex = index;
    return this.snapshot;
  }

  // ---- output -------------------------------------------------------------------------------------

  /** The next batch of work, or null when there is none or the previous one is not advanced yet. */
  ready(): Ready | null {
    if (this.readyInFlight) return null;
    const hardState: HardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    const hardStateChanged =
      hardState.term !== this.persisted.term || hardState.vote !== this.persisted.vote || hardState.commit !== this.persisted.commit;
    const entries = this.log.unstableEntries();
    const snapshot = this.log.unstableSnapshot;
    const committed = this.log.slice(this.log.applying + 1, this.log.committed + 1);
    if (!hardStateChanged && entries.length === 0 && !snapshot && committed.length === 0 && this.msgs.length === 0 && this.results.length === 0 && this.readStates.length === 0) {
      return null;
    }
    const rd: Ready = { entries, messages: this.msgs, committed, readStates: this.readStates, results: this.results };
    if (hardStateChanged) rd.hardState = hardState;
    if (snapshot) rd.snapshot = snapshot;
    this.msgs = [];
    this.readStates = [];
    this.results = [];
    if (committed.length > 0) this.log.applying = committed[committed.length - 1]!.index;
    this.readyInFlight = rd;
    return rd;
  }

  /** The shell persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    if (rd !== this.readyInFlight) throw new Error('advance() must be given the Ready last returned by ready()');
    this.readyInFlight = null;
    if (rd.hardState) this.persisted = { ...rd.hardState };
    if (rd.snapshot) {
      if (this.log.unstableSnapshot === rd.snapshot) this.log.unstableSnapshot = null;
      this.log.applied = Math.max(this.log.applied, rd.snapshot.meta.index);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last) this.log.stableTo(last.index, last.term);
    const applied = rd.committed[rd.committed.length - 1];
    if (applied && applied.index > this.log.applied) this.log.applied = applied.index;
    // The leader counts its own copy towards a quorum only once it is durable.
    if (this.role === 'leader' && this.maybeCommit()) this.broadcastAppend();
  }

  status(): RaftStatus {
    const voters = this.membership.voters;
    const peers: PeerStatus[] = membersOf(this.membership)
      .filter((id) => id !== this.id)
      .map((id) => {
        const pr = this.progress.get(id);
        const info = this.peers.get(id);
        return {
          id,
          voter: voters.includes(id),
          mode: info?.mode ?? null,
          supportedCodeVersion: info?.supportedCodeVersion ?? null,
          match: pr?.match ?? null,
          next: pr?.next ?? null,
          state: pr?.state ?? null,
          recentActive: pr ? this.heardWithinElectionTimeout(pr) : null,
        };
      });
    const t = this.transfer.current;
    return {
      id: this.id,
      role: this.role === 'follower' && this.membership.learners.includes(this.id) ? 'learner' : this.role,
      term: this.term,
      vote: this.vote,
      leader: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.log.snapshotIndex,
      logLength: this.log.entries.length,
      electionMode: this.#mode,
      voters: [...voters],
      learners: [...this.membership.learners],
      enabledCodeVersion: this.enabledCodeVersion,
      supportedCodeVersion: this.supportedCodeVersion,
      peers,
      hasQuorum:
        this.role === 'leader'
          ? hasMajority(voters, (id) => {
              const pr = this.progress.get(id);
              return id === this.id || (pr !== undefined && this.heardWithinElectionTimeout(pr));
            })
          : this.inLease(),
      transfer: t ? { target: t.target, phase: t.phase, elapsed: t.elapsed } : null,
    };
  }

  /** The cheap part of the status, for callers that poll it often. */
  softState(): { role: Role; term: number; leader: NodeId | null; commit: number; lastIndex: number; snapshotIndex: number } {
    return {
      role: this.role,
      term: this.term,
      leader: this.lead,
      commit: this.log.committed,
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.log.snapshotIndex,
    };
  }

  /** Entries currently held in memory in [lo, hi): for inspection and tests. */
  entries(lo: number, hi: number): Entry[] {
    return this.log.slice(lo, hi);
  }

  // ---- roles --------------------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.setLead(null);
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + Math.floor(this.random() * this.electionTicks);
    this.votes.clear();
  }

  private becomeFollower(term: number, lead: NodeId | null): void {
    const wasLeader = this.role === 'leader';
    this.reset(term);
    this.role = 'follower';
    this.setLead(lead);
    if (wasLeader) this.onLeadershipLost();
  }

  /**
   * Requests forwarded to a leader that is gone will not be answered by it: say so as soon as the
   * leader changes, rather than after four election timeouts, so clients retry at once (with
   * client sessions, safely).
   */
  private setLead(lead: NodeId | null): void {
    const previous = this.lead;
    this.lead = lead;
    if (previous === null || previous === lead || previous === this.id) return;
    for (const request of this.forwarded.abandonAwaiting()) this.reject(request, `outcome unknown: ${previous} stopped leading before it answered`);
  }

  private becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-election must not disturb anyone (thesis 9.6).
    this.role = 'preCandidate';
    this.setLead(null);
    this.votes.clear();
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.role = 'candidate';
    this.vote = this.id;
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.setLead(this.id);
    this.leaderTicks = 0;
    this.progress.clear();
    for (const id of membersOf(this.membership)) {
      if (id === this.id) continue;
      const pr = new Progress(this.log.lastIndex());
      // One election timeout of grace before CheckQuorum judges the followers.
      pr.recentActive = true;
      pr.lastHeard = 0;
      this.progress.set(id, pr);
    }
    const t = this.transfer.current;
    if (t && t.phase === 'awaitingOutcome') this.finishTransfer(false, `${this.id} won the election instead of ${t.target}`);
    // A no-op of the new term lets the leader commit, and thereby learn, everything before it (thesis 6.4).
    this.appendEntry('noop', new Uint8Array(0));
    const waiting = this.forwarded.waitingForLeader.splice(0);
    for (const w of waiting) this.leaderAccept(w.request);
  }

  private onLeadershipLost(): void {
    this.progress.clear();
    for (const r of this.reads.reset()) this.answerRead(r.requestId, r.origin, null, 'leadership was lost before the read was confirmed');
    const t = this.transfer.current;
    if (t) {
      // The target's forced vote deposed us: now learn who actually won.
      t.phase = 'awaitingOutcome';
      t.elapsed = 0;
    }
    for (const request of [...this.held.splice(0), ...this.deferred.splice(0)]) {
      this.forwarded.waitingForLeader.push({ request, elapsed: 0 });
    }
  }

  private stepDown(reason: string): void {
    if (this.transfer.active) this.finishTransfer(false, reason);
    this.becomeFollower(this.term, null);
  }

  /** For status: heard from during the last election timeout (CheckQuorum itself works per window). */
  private heardWithinElectionTimeout(pr: Progress): boolean {
    return this.leaderTicks - pr.lastHeard < this.electionTicks;
  }

  private promotable(): boolean {
    return this.membership.voters.includes(this.id);
  }

  private inLease(): boolean {
    return this.checkQuorum && this.lead !== null && this.electionElapsed < this.electionTicks;
  }

  // ---- elections ----------------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    const t = this.transfer.current;
    if (t && t.phase === 'awaitingOutcome' && ++t.elapsed >= 2 * this.electionTicks) {
      this.finishTransfer(false, 'no leader was heard from after the transfer');
    }
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    this.electionElapsed = 0;
    if (this.promotable() && this.#mode === 'candidate') {
      this.startElection(this.preVote ? 'preElection' : 'election');
    } else {
      // voter and manual members never campaign on their own (Tarantool PR 12696); they only forget the leader.
      this.becomeFollower(this.term, null);
    }
  }

  private startElection(kind: 'preElection' | 'election' | 'transfer'): void {
    if (!this.promotable()) return;
    let term: number;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    this.votes.set(this.id, true);
    if (voteOutcome(this.membership.voters, this.votes) === 'won') {
      if (kind === 'preElection') this.startElection('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.membership.voters) {
      if (id === this.id) continue;
      const m: OutgoingMessage = {
        type: kind === 'preElection' ? 'preVote' : 'vote',
        to: id,
        term,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
      };
      // A transfer campaign skips PreVote and must not be blocked by leader stickiness (thesis 3.10).
      if (kind === 'transfer') m.forced = true;
      this.send(m);
    }
  }

  private onVoteRequest(m: Message): void {
    const response = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    const canVote =
      this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // A granted pre-vote answers in the candidate's future term, so the candidate can count it.
      this.send({ type: response, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: response, to: m.from, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.becomeFollower(this.term, m.from);
        return this.stepFollower(m);
      case 'preVoteResp':
      case 'voteResp': {
        if ((m.type === 'preVoteResp') !== (this.role === 'preCandidate')) return;
        this.votes.set(m.from, !m.reject);
        const outcome = voteOutcome(this.membership.voters, this.votes);
        if (outcome === 'won') {
          if (this.role === 'preCandidate') this.startElection('election');
          else {
            this.becomeLeader();
          }
        } else if (outcome === 'lost') {
          this.becomeFollower(this.term, null);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---- follower -----------------------------------------------------------------------------------

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.heardFromLeader(m);
        return this.onAppend(m);
      case 'heartbeat':
        this.heardFromLeader(m);
        this.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
        this.send(m.context !== undefined ? { type: 'heartbeatResp', to: m.from, context: m.context } : { type: 'heartbeatResp', to: m.from });
        return;
      case 'snapshot':
        this.heardFromLeader(m);
        return this.onSnapshot(m);
      case 'timeoutNow':
        // Campaign at once, whatever our mode except `voter`: the term bump makes every message of the old
        // term stale, so the old leader's heartbeats cannot cancel it (PySyncObj PR 200).
        if (m.from === this.lead && this.promotable() && this.#mode !== 'voter') this.startElection('transfer');
        return;
      default:
        return;
    }
  }

  private heardFromLeader(m: Message): void {
    this.electionElapsed = 0;
    this.setLead(m.from);
    const t = this.transfer.current;
    if (t && t.phase === 'awaitingOutcome' && this.term > t.fromTerm) {
      if (m.from === t.target) this.finishTransfer(true, '');
      else this.finishTransfer(false, `${m.from} won the election instead of ${t.target}`);
    }
    this.flushToLeader();
  }

  private onAppend(m: Message): void {
    const prevIndex = m.index ?? 0;
    if (prevIndex < this.log.committed) {
      this.send({ type: 'appendResp', to: m.from, index: this.log.committed });
      return;
    }
    const entries = m.entries ?? [];
    const appended = this.log.maybeAppend(prevIndex, m.logTerm ?? 0, entries);
    if (appended) {
      if (appended.truncated || entries.some((e) => e.kind === 'config')) this.refreshMembership();
      this.commitTo(Math.min(m.commit ?? 0, appended.lastNew));
      this.send({ type: 'appendResp', to: m.from, index: appended.lastNew });
      return;
    }
    // Fast back-off: point the leader at the last entry that can possibly match.
    const hint = this.log.findConflictByTerm(Math.min(prevIndex, this.log.lastIndex()), m.logTerm ?? 0);
    this.send({ type: 'appendResp', to: m.from, index: prevIndex, reject: true, rejectHint: hint, logTerm: this.log.term(hint) ?? 0 });
  }

  private onSnapshot(m: Message): void {
    const snapshot = m.snapshot!;
    const { index, term } = snapshot.meta;
    if (index <= this.log.committed) {
      this.send({ type: 'appendResp', to: m.from, index: this.log.committed });
      return;
    }
    if (this.log.matchTerm(index, term)) {
      // We already hold that prefix: just learn that it is committed.
      this.commitTo(index);
      this.send({ type: 'appendResp', to: m.from, index: this.log.lastIndex() });
      return;
    }
    this.log.restore(snapshot);
    this.snapshot = snapshot;
    this.baseMembership = { voters: [...snapshot.meta.voters], learners: [...snapshot.meta.learners] };
    this.baseCodeVersion = snapshot.meta.codeVersion;
    this.enabledCodeVersion = snapshot.meta.codeVersion;
    this.refreshMembership();
    this.resolveAppended();
    this.send({ type: 'appendResp', to: m.from, index: this.log.lastIndex() });
  }

  // ---- leader -------------------------------------------------------------------------------------

  private tickLeader(): void {
    this.leaderTicks++;
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const pr of this.progress.values()) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= this.electionTicks) pr.becomeProbe();
    }
    const t = this.transfer.current;
    if (t && ++t.elapsed >= this.electionTicks) this.abortTransfer('the target did not win within an election timeout');
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        const active = hasMajority(this.membership.voters, (id) => id === this.id || this.progress.get(id)?.recentActive === true);
        if (!active) return this.stepDown('lost contact with a majority (CheckQuorum)');
        for (const pr of this.progress.values()) pr.recentActive = false;
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    pr.lastHeard = this.leaderTicks;
    if (m.type === 'appendResp') {
      if (m.reject) {
        let hint = m.rejectHint ?? 0;
        if ((m.logTerm ?? 0) > 0) hint = this.log.findConflictByTerm(hint, m.logTerm!);
        if (pr.maybeDecrease(m.index ?? 0, hint)) {
          if (pr.state === 'replicate') pr.becomeProbe();
          this.sendAppend(m.from);
        }
        return;
      }
      if (pr.maybeUpdate(m.index ?? 0)) {
        if (pr.state === 'probe' || (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot)) pr.becomeReplicate();
        if (this.maybeCommit()) this.broadcastAppend();
        this.maybeSendTimeoutNow(m.from);
        this.maybePromoteLearner();
      }
      while (this.progress.has(m.from) && this.sendAppend(m.from, false));
    } else if (m.type === 'heartbeatResp') {
      pr.probeSent = false;
      // Appends in flight may have been lost: a heartbeat answer frees a slot so replication cannot stall.
      if (pr.state === 'replicate' && pr.inflight.length >= this.maxInflight) pr.inflight.shift();
      if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
      const t = this.transfer.current;
      // TimeoutNow may have been lost; repeating it is harmless (the target ignores a stale term).
      if (t && t.phase === 'timeoutSent' && t.target === m.from) this.maybeSendTimeoutNow(m.from, true);
      if (m.context !== undefined) {
        this.reads.ack(m.from, m.context);
        for (const r of this.reads.takeConfirmed(this.membership.voters, this.id)) this.answerRead(r.requestId, r.origin, r.index, '');
      }
    }
  }

  /** Sends entries from the follower's next index; true when entries went out (so more may follow). */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused(this.maxInflight)) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      // What the follower needs was compacted away: send the snapshot instead (thesis 5.1).
      if (this.snapshot) {
        pr.becomeSnapshot(this.snapshot.meta.index);
        this.send({ type: 'snapshot', to, snapshot: this.snapshot });
      }
      return false;
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex() + 1, this.maxBatchBytes);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    pr.sent(entries.length > 0 ? entries[entries.length - 1]!.index : undefined);
    return entries.length > 0;
  }

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) this.sendAppend(id);
  }

  private broadcastHeartbeat(context?: number): void {
    for (const [id, pr] of this.progress) {
      // Never tell a follower about a commit beyond what it is known to hold.
      const m: OutgoingMessage = { type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.committed) };
      if (context !== undefined) m.context = context;
      this.send(m);
    }
  }

  /** Commits the highest index a majority holds, but only if it is of the current term (thesis 3.6.2). */
  private maybeCommit(): boolean {
    const index = quorumIndex(this.membership.voters, (id) => (id === this.id ? this.log.stableIndex : this.progress.get(id)?.match ?? 0));
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    this.commitTo(index);
    return true;
  }

  private committedOwnTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  private appendEntry(kind: EntryKind, data: Uint8Array): Entry {
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, kind, data };
    this.log.append([entry]);
    if (kind === 'config') this.refreshMembership();
    this.broadcastAppend();
    return entry;
  }

  /**
   * Once the configuration that removed a member is committed, tell it the commit index one last time (so
   * its own pending requests, such as its removal, resolve) and stop replicating to it.
   */
  private pruneDeparted(): void {
    if (this.membershipIndex > this.log.committed) return;
    for (const [id, pr] of this.progress) {
      if (isMember(this.membership, id)) continue;
      this.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.committed) });
      this.progress.delete(id);
    }
  }

  /** Promotes a caught-up learner to voter, one change at a time (thesis 4.2.1). */
  private maybePromoteLearner(): void {
    if (this.role !== 'leader' || this.transfer.holdsProposals || !this.committedOwnTerm()) return;
    if (this.membershipIndex > this.log.committed) return;
    for (const learner of this.membership.learners) {
      const pr = this.progress.get(learner);
      if (pr && pr.match >= this.log.committed) {
        this.appendEntry('config', encodeMembership(promote(this.membership, learner)));
        return;
      }
    }
  }

  // ---- commit and membership ----------------------------------------------------------------------

  private commitTo(index: number): void {
    const before = this.log.committed;
    if (!this.log.commitTo(index)) return;
    // Only the newly committed entries can change the enabled version (PySyncObj enables it on commit).
    for (let i = before + 1; i <= index; i++) {
      const e = this.log.entry(i);
      if (e?.kind === 'version') this.enabledCodeVersion = decodeCodeVersion(e.data);
    }
    this.afterCommit();
  }

  private afterCommit(): void {
    this.resolveAppended();
    if (this.role === 'leader') this.pruneDeparted();
    if (this.role === 'leader' && this.committedOwnTerm()) {
      for (const r of this.reads.waitingForCommit.splice(0)) this.leaderRead(r.requestId, r.origin);
      for (const request of this.deferred.splice(0)) this.leaderAccept(request);
      this.maybePromoteLearner();
    }
  }

  private resolveAppended(): void {
    if (this.appended.size === 0) return;
    this.results.push(
      ...this.appended.resolve(this.log.committed, (i) => this.log.term(i)),
    );
  }

  /** The latest configuration at or before `index`, and where it came from. */
  private membershipAt(index: number): { membership: Membership; index: number } {
    for (let i = Math.min(index, this.log.lastIndex()); i > this.log.snapshotIndex; i--) {
      const e = this.log.entry(i)!;
      if (e.kind === 'config') return { membership: decodeMembership(e.data), index: i };
    }
    return { membership: this.baseMembership, index: this.log.snapshotIndex };
  }

  private codeVersionAt(index: number): number {
    for (let i = Math.min(index, this.log.lastIndex()); i > this.log.snapshotIndex; i--) {
      const e = this.log.entry(i)!;
      if (e.kind === 'version') return decodeCodeVersion(e.data);
    }
    return this.baseCodeVersion;
  }

  private refreshMembership(): void {
    const { membership, index } = this.membershipAt(this.log.lastIndex());
    this.membership = membership;
    this.membershipIndex = index;
    if (this.role !== 'leader') return;
    for (const id of membersOf(membership)) {
      if (id !== this.id && !this.progress.has(id)) this.progress.set(id, new Progress(this.log.lastIndex()));
    }
    // A removed member keeps its progress until its removal commits (see pruneDeparted), so it learns of it.
    const t = this.transfer.current;
    if (t && !membership.voters.includes(t.target)) this.abortTransfer(`${t.target} is no longer a voter`);
  }

  // ---- requests -----------------------------------------------------------------------------------

  private newRequestId(): RequestId {
    return `${this.id}#${this.nextRequestNumber++}`;
  }

  private submit(request: HeldRequest): void {
    if (this.role === 'leader') this.leaderAccept(request);
    else this.forwardToLeader(request);
  }

  private forwardToLeader(request: HeldRequest): void {
    if (this.lead !== null && this.lead !== this.id) {
      this.send({ type: 'propose', to: this.lead, requestId: request.requestId, kind: request.kind, data: request.data, origin: request.origin });
      if (request.origin === this.id) this.forwarded.awaitingAnswer.push({ request, elapsed: 0 });
    } else if (this.forwarded.waitingForLeader.length >= this.maxHeldProposals) {
      this.reject(request, 'no leader is known and too many requests are waiting for one');
    } else {
      this.forwarded.waitingForLeader.push({ request, elapsed: 0 });
    }
  }

  private flushToLeader(): void {
    for (const w of this.forwarded.waitingForLeader.splice(0)) this.forwardToLeader(w.request);
  }

  private tickForwarded(): void {
    for (const { request, reason } of this.forwarded.tick(4 * this.electionTicks)) this.reject(request, reason);
    this.forwardedReads = this.forwardedReads.filter((r) => {
      if (++r.elapsed < 2 * this.electionTicks) return true;
      this.results.push({ type: 'read', requestId: r.requestId, ok: false, reason: 'the leader did not confirm the read in time' });
      return false;
    });
  }

  private onForwardedRequest(m: Message): void {
    const request: HeldRequest = { requestId: m.requestId!, kind: m.kind!, data: m.data ?? new Uint8Array(0), origin: m.origin ?? m.from };
    if (this.role === 'leader') this.leaderAccept(request);
    else this.reject(request, this.lead ? `not the leader; ${this.lead} is` : 'not the leader');
  }

  private onProposeResp(m: Message): void {
    const request = this.forwarded.takeAnswered(m.requestId!);
    if (!request) return;
    if (m.reject) return this.reject(request, m.reason ?? 'refused by the leader');
    this.recordAppended(request, m.index!, m.logTerm!);
    this.resolveAppended();
  }

  private recordAppended(request: HeldRequest, index: number, term: number): void {
    const base = { requestId: request.requestId, kind: request.kind, index, term };
    if (request.kind === 'version') this.appended.add({ ...base, version: decodeCodeVersion(request.data) });
    else this.appended.add(base);
  }

  private reject(request: HeldRequest, reason: string): void {
    if (request.origin === this.id) this.results.push(failure(request, reason));
    else this.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, reject: true, reason });
  }

  private accepted(request: HeldRequest, entry: Entry): void {
    if (request.origin === this.id) this.recordAppended(request, entry.index, entry.term);
    else this.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, index: entry.index, logTerm: entry.term });
  }

  /** The leader's handling of any request, local or forwarded. */
  private leaderAccept(request: HeldRequest): void {
    if (this.transfer.holdsProposals) {
      // Thesis 3.10: the log must stop growing for the target to catch up. Hold, do not fail.
      if (this.held.length >= this.maxHeldProposals) this.reject(request, 'too many requests held during a leadership transfer');
      else this.held.push(request);
      return;
    }
    if (request.kind === 'command') return this.accepted(request, this.appendEntry('command', request.data));
    if (!this.committedOwnTerm()) {
      // A new leader must commit an entry of its term before changing membership (the single-server
      // change bug, thesis 4.1 errata), and before trusting its view of the enabled version.
      if (this.deferred.length >= this.maxHeldProposals) this.reject(request, 'too many requests waiting for the new leader');
      else this.deferred.push(request);
      return;
    }
    if (request.kind === 'version') {
      const version = decodeCodeVersion(request.data);
      const reason = refuseCodeVersion(version, this.enabledCodeVersion, membersOf(this.membership), (id) =>
        id === this.id ? this.supportedCodeVersion : this.peers.get(id)?.supportedCodeVersion,
      );
      if (reason !== null) return this.reject(request, reason);
      return this.accepted(request, this.appendEntry('version', request.data));
    }
    const change = decodeConfChange(request.data);
    if (this.membershipIndex > this.log.committed) return this.reject(request, 'another membership change is still being committed');
    if (change.type === 'remove' && change.node === this.id) return this.removeSelf(request);
    const check = checkConfChange(this.membership, change);
    if (!check.ok) return this.reject(request, check.reason);
    this.accepted(request, this.appendEntry('config', encodeMembership(check.next)));
  }

  /** Removing the leader hands leadership over first, then the new leader commits the removal. */
  private removeSelf(request: HeldRequest): void {
    if (!this.membership.voters.includes(this.id) || this.membership.voters.length === 1) {
      return this.reject(request, `${this.id} is the last voter; removing it would leave no quorum`);
    }
    const target = this.pickTransferTarget();
    if (target === null) return this.reject(request, 'no other voter can take over leadership before the removal');
    this.startTransfer(target, null);
    this.held.push(request);
  }

  // ---- reads --------------------------------------------------------------------------------------

  private leaderRead(requestId: RequestId, origin: NodeId): void {
    if (!this.committedOwnTerm()) {
      this.reads.waitingForCommit.push({ requestId, origin });
      return;
    }
    if (this.membership.voters.length === 1 && this.membership.voters[0] === this.id) {
      return this.answerRead(requestId, origin, this.log.committed, '');
    }
    this.broadcastHeartbeat(this.reads.start(requestId, origin, this.log.committed));
  }

  private answerRead(requestId: RequestId, origin: NodeId, index: number | null, reason: string): void {
    if (origin === this.id) {
      if (index !== null) this.readStates.push({ requestId, index });
      else this.results.push({ type: 'read', requestId, ok: false, reason });
    } else if (index !== null) this.send({ type: 'readIndexResp', to: origin, requestId, index });
    else this.send({ type: 'readIndexResp', to: origin, requestId, reject: true, reason });
  }

  private onForwardedRead(m: Message): void {
    if (this.role === 'leader') this.leaderRead(m.requestId!, m.from);
    else this.answerRead(m.requestId!, m.from, null, 'not the leader');
  }

  private onReadIndexResp(m: Message): void {
    const i = this.forwardedReads.findIndex((r) => r.requestId === m.requestId);
    if (i < 0) return;
    this.forwardedReads.splice(i, 1);
    if (m.reject) this.results.push({ type: 'read', requestId: m.requestId!, ok: false, reason: m.reason ?? 'refused by the leader' });
    else this.readStates.push({ requestId: m.requestId!, index: m.index! });
  }

  // ---- leadership transfer ------------------------------------------------------------------------

  private refuseTransferTarget(target: NodeId): string | null {
    if (target === this.id) return `${target} is the leader itself`;
    if (!isMember(this.membership, target)) return `${target} is not a member of the cluster`;
    if (!this.membership.voters.includes(target)) return `${target} is a learner, not a voter`;
    if (this.peers.get(target)?.mode === 'voter') return `${target} is in voter election mode and never becomes leader`;
    return null;
  }

  /** The most up-to-date voter that may lead; ties go to one heard from recently, then to the lowest id. */
  private pickTransferTarget(): NodeId | null {
    let best: NodeId | null = null;
    let bestKey: [number, number] = [-1, -1];
    for (const id of [...this.membership.voters].sort()) {
      const mode = this.peers.get(id)?.mode;
      if (id === this.id || !ableToLead(mode)) continue;
      const pr = this.progress.get(id);
      const key: [number, number] = [pr?.match ?? 0, pr?.recentActive ? 1 : 0];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        best = id;
        bestKey = key;
      }
    }
    return best;
  }

  private startTransfer(target: NodeId, requestId: RequestId | null): void {
    this.transfer.start(target, requestId, this.term);
    if (!this.maybeSendTimeoutNow(target)) this.sendAppend(target);
  }

  /** Once the target holds the whole log, tell it to campaign now. */
  private maybeSendTimeoutNow(from: NodeId, repeat = false): boolean {
    const t = this.transfer.current;
    const pr = this.progress.get(from);
    if (!t || t.target !== from || !pr || pr.match !== this.log.lastIndex()) return false;
    if (t.phase !== 'catchingUp' && !(repeat && t.phase === 'timeoutSent')) return false;
    t.phase = 'timeoutSent';
    this.send({ type: 'timeoutNow', to: from });
    return true;
  }

  /** The transfer failed while we still lead: report it and append what was held (clients see no failure). */
  private abortTransfer(reason: string): void {
    this.finishTransfer(false, reason);
    for (const request of this.held.splice(0)) {
      if (request.kind === 'config' && decodeConfChange(request.data).type === 'remove' && decodeConfChange(request.data).node === this.id) {
        this.reject(request, `leadership could not be handed over before removing ${this.id}: ${reason}`);
      } else this.leaderAccept(request);
    }
  }

  private finishTransfer(ok: boolean, reason: string): void {
    const t = this.transfer.finish();
    if (!t) return;
    if (ok) this.results.push({ type: 'transfer', requestId: t.requestId, ok: true, leader: t.target });
    else this.results.push({ type: 'transfer', requestId: t.requestId, ok: false, reason, leader: this.lead === this.id ? this.id : this.lead });
  }

  /** Stamps the sender's identity, term, mode and supported version on a freshly built message and queues it. */
  private send(m: OutgoingMessage): void {
    const msg = m as Message;
    msg.from = this.id;
    msg.term = m.term ?? this.term;
    msg.mode = this.#mode;
    msg.supportedCodeVersion = this.supportedCodeVersion;
    this.msgs.push(msg);
  }
}
