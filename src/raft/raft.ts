// The Raft state machine: roles, elections, replication and commit; logical ticks, messages and local requests in, a Ready batch out. No I/O, no clock.
import { encodeCodeVersion } from './code-version.js';
import { Configuration } from './configuration.js';
import { RaftInvariantError } from './errors.js';
import { RaftLog } from './log.js';
import { encodeConfChange, encodeMembership, isMember, membersOf, promote, type ConfChange } from './membership.js';
import type { Message, OutgoingMessage, RequestId } from './messages.js';
import { Proposals } from './proposals.js';
import { ReadIndex } from './read-index.js';
import { failed, type Failure, type Outcome, type RaftResult, type ReadState, type Ready } from './results.js';
import { buildStatus, type RaftStatus, type Role } from './status.js';
import { ELECTION_JITTER } from './timeouts.js';
import { ProgressTracker } from './tracker.js';
import { encodeTransferTarget, TransferTracker } from './transfer.js';
import { settingsOf, type RaftConfig, type Settings } from './raft-config.js';
import type { ElectionMode, Entry, EntryKind, HardState, NodeId, Snapshot } from './types.js';

export class RaftNode {
  readonly id: NodeId;
  #mode: ElectionMode;
  private readonly cfg: Settings;

  private term: number;
  private vote: NodeId | null;
  private lead: NodeId | null = null;
  private role: Role = 'follower';
  private readonly log: RaftLog;
  private snapshot: Snapshot | null;
  private readonly configuration: Configuration;

  private readonly tracker: ProgressTracker;
  private readonly transfer: TransferTracker;
  private readonly proposals: Proposals;
  private readonly reads: ReadIndex;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private ignoredFromNonMembers = { count: 0, lastSender: null as NodeId | null };

  private msgs: Message[] = [];
  private results: RaftResult[] = [];
  private readStates: ReadState[] = [];
  private persisted: HardState;
  private readyInFlight: Ready | null = null;
  /**
   * Entries appended or the commit index advanced since the last Ready. Followers hear of them once
   * per Ready (one append each, carrying every new entry and the commit index), not once per
   * proposal or acknowledgement: a thousand proposals in one event-loop turn were a thousand
   * one-entry appends per follower, each persisted and acknowledged on its own.
   */
  private replicationDue = false;

  constructor(config: RaftConfig) {
    this.id = config.id;
    this.#mode = config.electionMode ?? 'candidate';
    this.cfg = settingsOf(config);

    const snapshot = config.snapshot ?? null;
    const hardState = config.hardState ?? { term: 0, vote: null, commit: 0 };
    this.snapshot = snapshot;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.persisted = { ...hardState };
    const snapIndex = snapshot?.meta.index ?? 0;
    this.log = new RaftLog(snapIndex, snapshot?.meta.term ?? 0, [...(config.entries ?? [])], hardState.commit, config.applied ?? snapIndex);
    this.configuration = new Configuration(this.log, snapshot?.meta ?? null, { voters: config.voters, learners: config.learners ?? [] });
    this.tracker = new ProgressTracker(this.id, this.cfg.electionTicks);
    // What every part may ask of the core; each adds what only it needs.
    const core = {
      id: this.id,
      electionTicks: this.cfg.electionTicks,
      isLeader: (): boolean => this.role === 'leader',
      leader: (): NodeId | null => this.lead,
      committed: (): number => this.log.committed,
      committedOwnTerm: (): boolean => this.committedOwnTerm(),
      send: (m: OutgoingMessage): void => this.send(m),
      report: (r: RaftResult): void => void this.results.push(r),
    };
    this.transfer = new TransferTracker({
      ...core,
      term: () => this.term,
      lastIndex: () => this.log.lastIndex(),
      membership: () => this.configuration.membership,
      modeOf: (id) => this.tracker.peer(id)?.mode,
      progress: (id) => this.tracker.get(id),
      sendAppend: (to) => void this.sendAppend(to),
      finished: (request, outcome) => this.proposals.transferFinished(request, outcome),
      released: (f) => this.proposals.released(f),
    });
    this.proposals = new Proposals({
      ...core,
      maxHeldProposals: this.cfg.maxHeldProposals,
      supportedCodeVersion: this.cfg.supportedCodeVersion,
      configuration: this.configuration,
      transfer: this.transfer,
      supportedCodeVersionOf: (id) => this.tracker.peer(id)?.supportedCodeVersion,
      termAt: (index) => this.log.term(index),
      appendEntry: (kind, data) => this.appendEntry(kind, data),
    });
    this.reads = new ReadIndex({
      ...core,
      voters: () => this.configuration.membership.voters,
      broadcastHeartbeat: (context) => this.broadcastHeartbeat(context),
      readState: (rs) => void this.readStates.push(rs),
    });
    this.becomeFollower(this.term, null);
  }

  // ---- inputs -------------------------------------------------------------------------------------

  /** Advances logical time by one tick. */
  tick(): void {
    this.proposals.tick();
    this.reads.tick();
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Feeds one message from another member (checked by `parseRaftMessage` when it came off the wire). Messages not addressed to this node are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    this.tracker.notePeer(m.from, m.mode, m.supportedCodeVersion);
    switch (m.type) {
      case 'propose':
        return this.proposals.onForwarded(m);
      case 'proposeResp':
        return this.proposals.onAnswer(m);
      case 'readIndex':
        return this.reads.onForwarded(m);
      case 'readIndexResp':
        return this.reads.onAnswer(m);
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
    return this.submit('command', data, requestId);
  }

  /** Single-server membership change (thesis 4.1); the outcome comes back as a `confChange` result. */
  proposeConfChange(change: ConfChange, requestId?: RequestId): RequestId {
    return this.submit('config', encodeConfChange(change), requestId);
  }

  /** Enables a code version cluster-wide (PySyncObj's set_version); the outcome is a `version` result. */
  proposeVersion(version: number, requestId?: RequestId): RequestId {
    return this.submit('version', encodeCodeVersion(version), requestId);
  }

  /**
   * Hands leadership to `target`, or with 'auto' to the most up-to-date eligible voter (thesis 3.10).
   * Made on a follower, the request goes to the leader like a write. The `transfer` result is ok only
   * once the target leads a newer term; refusals carry a code and a reason.
   */
  transferLeadership(target: NodeId | 'auto', requestId?: RequestId): RequestId {
    return this.submit('transfer', encodeTransferTarget(target), requestId);
  }

  /** A linearizable read: a ReadState (or a failed `read` result) comes back with this request id. */
  readIndex(requestId: RequestId): void {
    this.reads.request(requestId);
  }

  /**
   * Starts an election now, as an operator's promote does: the way a `manual` member becomes leader
   * without a transfer (say, when no leader is left to transfer from). It still runs PreVote, so it cannot
   * depose a live leader. Refused for `voter` members and for non-voters.
   */
  campaign(): Outcome {
    if (this.#mode === 'voter') return failed('ineligibleTarget', `${this.id} is in voter election mode and never becomes leader`);
    if (!this.promotable()) return failed('ineligibleTarget', `${this.id} is not a voter`);
    if (this.role === 'leader') return failed('alreadyLeader', `${this.id} is already the leader`);
    this.startElection(this.cfg.preVote ? 'preElection' : 'election');
    return { ok: true };
  }

  /** This member's election mode: set at construction, changed at runtime by `setElectionMode`. */
  get mode(): ElectionMode {
    return this.#mode;
  }

  /**
   * A drain makes a member `voter` before maintenance (issue 10): it abandons a campaign (a leader leads on until
   * the shell hands over); refused when no other voter is known to be able to lead (none could ever be elected).
   */
  setElectionMode(mode: ElectionMode): Outcome {
    if (mode === 'voter' && this.#mode !== 'voter' && this.promotable() && !this.transfer.anotherCanLead()) {
      return failed('lastLeaderCandidate', `${this.id} is the last voter known to be able to lead: the others are in voter mode or have not been heard from`);
    }
    this.#mode = mode;
    if (mode === 'voter' && (this.role === 'candidate' || this.role === 'preCandidate')) this.becomeFollower(this.term, null);
    return { ok: true };
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
    const failedReady = this.readyInFlight;
    this.readyInFlight = null;
    this.msgs = [];
    this.log.abandonApplying();
    if (failedReady) {
      // Results and reads do not depend on this node's disk; losing them would leave clients hanging.
      this.results.unshift(...failedReady.results);
      this.readStates.unshift(...failedReady.readStates);
    }
    const steppedDown = this.role !== 'follower';
    if (this.role === 'leader') this.stepDown(failed('storageFault', `storage failure: ${reason}`));
    else if (steppedDown) this.becomeFollower(this.term, null);
    if (this.log.dropUnstableEntries()) {
      this.configuration.refresh();
      this.proposals.failUnwritten(this.log.lastIndex(), reason);
    }
    this.results.push({ type: 'storageFailure', reason, steppedDown });
  }

  /**
   * The shell captured its state machine at `index` (<= applied) in `data`. Entries up to `index` are
   * dropped; the returned snapshot must be persisted by the shell, replacing its older snapshot and
   * stored entries up to `index`. Followers too far behind will be sent it. Throws a RaftInvariantError
   * when `index` is not above the current snapshot (check `softState().snapshotIndex`) or not yet applied.
   */
  compact(index: number, data: Uint8Array): Snapshot {
    if (index <= this.log.snapshotIndex) throw new RaftInvariantError(`cannot compact to ${index}: a snapshot already covers ${this.log.snapshotIndex}`);
    if (index > this.log.applied) throw new RaftInvariantError(`cannot compact to ${index}: only ${this.log.applied} is applied`);
    const meta = this.configuration.snapshotMeta(index);
    this.log.compact(index);
    this.snapshot = { meta, data };
    this.configuration.compacted(meta);
    return this.snapshot;
  }

  // ---- output -------------------------------------------------------------------------------------

  /** The next batch of work, or null when there is none or the previous one is not advanced yet. */
  ready(): Ready | null {
    if (this.readyInFlight) return null;
    if (this.replicationDue) {
      this.replicationDue = false;
      if (this.role === 'leader') this.broadcastAppend();
    }
    const hardState: HardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    const hardStateChanged =
      hardState.term !== this.persisted.term || hardState.vote !== this.persisted.vote || hardState.commit !== this.persisted.commit;
    const entries = this.log.unstableEntries();
    const snapshot = this.log.unstableSnapshot;
    const committed = this.log.acceptApplying();
    if (!hardStateChanged && entries.length === 0 && !snapshot && committed.length === 0 && this.msgs.length === 0 && this.results.length === 0 && this.readStates.length === 0) {
      return null;
    }
    const rd: Ready = { entries, messages: this.msgs, committed, readStates: this.readStates, results: this.results };
    if (hardStateChanged) rd.hardState = hardState;
    if (snapshot) rd.snapshot = snapshot;
    this.msgs = [];
    this.readStates = [];
    this.results = [];
    this.readyInFlight = rd;
    return rd;
  }

  /** The shell persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    if (rd !== this.readyInFlight) throw new RaftInvariantError('advance() must be given the Ready last returned by ready()');
    this.readyInFlight = null;
    if (rd.hardState) this.persisted = { ...rd.hardState };
    if (rd.snapshot) this.log.snapshotStable(rd.snapshot);
    const last = rd.entries[rd.entries.length - 1];
    if (last) this.log.stableTo(last.index, last.term);
    const applied = rd.committed[rd.committed.length - 1];
    if (applied) this.log.appliedTo(applied.index);
    // The leader counts its own copy towards a quorum only once it is durable.
    if (this.role === 'leader' && this.maybeCommit()) this.replicationDue = true;
  }

  status(): RaftStatus {
    const core = {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.log.snapshotIndex,
      logLength: this.log.length,
      electionMode: this.#mode,
      enabledCodeVersion: this.configuration.enabledCodeVersion,
      supportedCodeVersion: this.cfg.supportedCodeVersion,
      transfer: this.transfer.status(),
      ignoredFromNonMembers: { ...this.ignoredFromNonMembers },
      inLease: this.inLease(),
    };
    return buildStatus(core, this.configuration.membership, this.tracker);
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
    this.randomizedElectionTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * ELECTION_JITTER * this.cfg.electionTicks);
    this.tracker.resetVotes();
  }

  private becomeFollower(term: number, lead: NodeId | null): void {
    const wasLeader = this.role === 'leader';
    this.reset(term);
    this.role = 'follower';
    this.setLead(lead);
    if (wasLeader) this.onLeadershipLost();
  }

  private setLead(lead: NodeId | null): void {
    const previous = this.lead;
    this.lead = lead;
    if (previous !== null && previous !== lead && previous !== this.id) this.proposals.leaderGone(previous);
  }

  private becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-election must not disturb anyone (thesis 9.6).
    this.role = 'preCandidate';
    this.setLead(null);
    this.tracker.resetVotes();
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
    this.tracker.startLeading(membersOf(this.configuration.membership), this.log.lastIndex());
    this.transfer.becameLeader();
    // A no-op of the new term lets the leader commit, and thereby learn, everything before it (thesis 6.4).
    this.appendEntry('noop', new Uint8Array(0));
    this.proposals.becameLeader();
  }

  private onLeadershipLost(): void {
    this.tracker.stopLeading();
    this.reads.leadershipLost();
    this.transfer.leadershipLost();
    this.proposals.leadershipLost();
  }

  private stepDown(why: Failure): void {
    this.transfer.steppingDown(why);
    this.becomeFollower(this.term, null);
  }

  private promotable(): boolean {
    return this.configuration.membership.voters.includes(this.id);
  }

  private inLease(): boolean {
    return this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTicks;
  }

  // ---- elections ----------------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    this.transfer.followerTick();
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    this.electionElapsed = 0;
    if (this.promotable() && this.#mode === 'candidate') {
      this.startElection(this.cfg.preVote ? 'preElection' : 'election');
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
    this.tracker.recordVote(this.id, true);
    const voters = this.configuration.membership.voters;
    if (this.tracker.voteResult(voters) === 'won') {
      if (kind === 'preElection') this.startElection('election');
      else this.becomeLeader();
      return;
    }
    for (const id of voters) {
      if (id === this.id) continue;
      const type = kind === 'preElection' ? 'preVote' : 'vote';
      // A transfer campaign skips PreVote and must not be blocked by leader stickiness (thesis 3.10).
      const forced = kind === 'transfer' ? { forced: true } : {};
      this.send({ type, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(), ...forced });
    }
  }

  private onVoteRequest(m: Extract<Message, { type: 'vote' | 'preVote' }>): void {
    const response = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    const canVote =
      this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
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
        this.tracker.recordVote(m.from, !m.reject);
        const outcome = this.tracker.voteResult(this.configuration.membership.voters);
        if (outcome === 'won') {
          if (this.role === 'preCandidate') this.startElection('election');
          else this.becomeLeader();
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
        this.heardFromLeader(m.from);
        return this.onAppend(m);
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send(m.context !== undefined ? { type: 'heartbeatResp', to: m.from, context: m.context } : { type: 'heartbeatResp', to: m.from });
        return;
      case 'snapshot':
        this.heardFromLeader(m.from);
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

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.setLead(from);
    this.transfer.heardFromLeader(from);
    this.proposals.leaderFound();
  }

  private onAppend(m: Extract<Message, { type: 'append' }>): void {
    if (m.index < this.log.committed) {
      this.send({ type: 'appendResp', to: m.from, index: this.log.committed });
      return;
    }
    const appended = this.log.maybeAppend(m.index, m.logTerm, m.entries);
    if (appended) {
      if (appended.truncated || m.entries.some((e) => e.kind === 'config')) this.configuration.refresh();
      this.commitTo(Math.min(m.commit, appended.lastNew));
      this.send({ type: 'appendResp', to: m.from, index: appended.lastNew });
      return;
    }
    // Fast back-off: point the leader at the last entry that can possibly match.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send({ type: 'appendResp', to: m.from, index: m.index, reject: true, rejectHint: hint, logTerm: this.log.term(hint) ?? 0 });
  }

  private onSnapshot(m: Extract<Message, { type: 'snapshot' }>): void {
    const { snapshot } = m;
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
    this.configuration.restored(snapshot.meta);
    this.proposals.resolve();
    this.send({ type: 'appendResp', to: m.from, index: this.log.lastIndex() });
  }

  // ---- leader -------------------------------------------------------------------------------------

  private tickLeader(): void {
    this.tracker.tick();
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.transfer.leaderTick();
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.tracker.quorumActive(this.configuration.membership.voters)) {
        return this.stepDown(failed('leadershipLost', 'lost contact with a majority (CheckQuorum)'));
      }
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  /**
   * Answers from members the leader does not track (removed and pruned, or not added yet) are ignored:
   * they cannot count towards a quorum. They are counted in `status().ignoredFromNonMembers`, so an
   * operator can see a straggler that still believes it belongs to the cluster.
   */
  private stepLeader(m: Message): void {
    const pr = this.tracker.get(m.from);
    if (!pr) {
      this.ignoredFromNonMembers.count++;
      this.ignoredFromNonMembers.lastSender = m.from;
      return;
    }
    this.tracker.heardFrom(m.from);
    if (m.type === 'appendResp') {
      if (m.reject) {
        let hint = m.rejectHint ?? 0;
        if ((m.logTerm ?? 0) > 0) hint = this.log.findConflictByTerm(hint, m.logTerm!);
        if (pr.maybeDecrease(m.index, hint)) {
          if (pr.state === 'replicate') pr.becomeProbe();
          this.sendAppend(m.from);
        }
        return;
      }
      if (pr.maybeUpdate(m.index)) {
        if (pr.state === 'probe' || (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot)) pr.becomeReplicate();
        if (this.maybeCommit()) this.replicationDue = true;
        this.transfer.maybeSendTimeoutNow(m.from);
        this.maybePromoteLearner();
      }
      while (this.tracker.get(m.from) && this.sendAppend(m.from, false));
    } else if (m.type === 'heartbeatResp') {
      pr.probeSent = false;
      // Appends in flight may have been lost: a heartbeat answer frees a slot so replication cannot stall.
      if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflight) pr.inflight.shift();
      if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
      this.transfer.maybeSendTimeoutNow(m.from, true);
      if (m.context !== undefined) this.reads.onHeartbeatAnswer(m.from, m.context);
    }
  }

  /** Sends entries from the follower's next index; true when entries went out (so more may follow). */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.tracker.get(to);
    if (!pr || pr.isPaused(this.cfg.maxInflight)) return false;
    // A member that does not support the enabled code version (an older build added after it was
    // enabled), or whose version is not known yet, would misread what follows: it gets nothing
    // from the log until a heartbeat's answer shows it supports the version.
    const enabled = this.configuration.enabledCodeVersion;
    if (enabled > 0 && (this.tracker.peer(to)?.supportedCodeVersion ?? -1) < enabled) return false;
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
    const entries = this.log.slice(pr.next, this.log.lastIndex() + 1, this.cfg.maxBatchBytes);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    pr.sent(entries.length > 0 ? entries[entries.length - 1]!.index : undefined);
    return entries.length > 0;
  }

  private broadcastAppend(): void {
    for (const id of this.tracker.ids()) this.sendAppend(id);
  }

  private broadcastHeartbeat(context?: number): void {
    for (const [id, pr] of this.tracker.entries()) {
      // Never tell a follower about a commit beyond what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed);
      this.send(context !== undefined ? { type: 'heartbeat', to: id, commit, context } : { type: 'heartbeat', to: id, commit });
    }
  }

  /** Commits the highest index a majority holds, but only if it is of the current term (thesis 3.6.2). */
  private maybeCommit(): boolean {
    const index = this.tracker.committedIndex(this.configuration.membership.voters, this.log.stableIndex);
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
    this.replicationDue = true;
    return entry;
  }

  /**
   * Once the configuration that removed a member is committed, tell it the commit index one last time (so
   * its own pending requests, such as its removal, resolve) and stop replicating to it. A member that has
   * not acknowledged the removal yet gets the committed entries it lacks with it, or it could never learn
   * that its own removal, which it may have asked for, committed.
   */
  private pruneDeparted(): void {
    if (this.configuration.changePending()) return;
    const { committed } = this.log;
    for (const [id, pr] of [...this.tracker.entries()]) {
      if (isMember(this.configuration.membership, id)) continue;
      const prevTerm = this.log.term(pr.match);
      if (pr.match < committed && prevTerm !== undefined) {
        const entries = this.log.slice(pr.match + 1, committed + 1, this.cfg.maxBatchBytes);
        this.send({ type: 'append', to: id, index: pr.match, logTerm: prevTerm, entries, commit: committed });
      } else this.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, committed) });
      this.tracker.untrack(id);
    }
  }

  /** Promotes a caught-up learner to voter, one change at a time (thesis 4.2.1). */
  private maybePromoteLearner(): void {
    if (this.role !== 'leader' || this.transfer.holdsProposals || !this.committedOwnTerm()) return;
    if (this.configuration.changePending()) return;
    const membership = this.configuration.membership;
    for (const learner of membership.learners) {
      const pr = this.tracker.get(learner);
      if (pr && pr.match >= this.log.committed) {
        this.appendEntry('config', encodeMembership(promote(membership, learner)));
        return;
      }
    }
  }

  // ---- commit and membership ----------------------------------------------------------------------

  private commitTo(index: number): void {
    const before = this.log.committed;
    if (!this.log.commitTo(index)) return;
    this.configuration.committed(before, index);
    this.proposals.resolve();
    if (this.role !== 'leader') return;
    this.pruneDeparted();
    if (this.committedOwnTerm()) {
      this.reads.ownTermCommitted();
      this.proposals.ownTermCommitted();
      this.maybePromoteLearner();
    }
  }

  private refreshMembership(): void {
    this.configuration.refresh();
    if (this.role !== 'leader') return;
    // A removed member keeps its progress until its removal commits (see pruneDeparted), so it learns of it.
    this.tracker.track(membersOf(this.configuration.membership), this.log.lastIndex());
    this.transfer.votersChanged(this.configuration.membership.voters);
  }

  // ---- requests -----------------------------------------------------------------------------------

  private submit(kind: 'command' | 'config' | 'version' | 'transfer', data: Uint8Array, requestId?: RequestId): RequestId {
    const id = requestId ?? this.proposals.newRequestId();
    this.proposals.submit({ requestId: id, kind, data, origin: this.id });
    return id;
  }

  /** Stamps the sender's identity, term, mode and supported version on a freshly built message and queues it. */
  private send(m: OutgoingMessage): void {
    const msg = m as Message;
    msg.from = this.id;
    msg.term = m.term ?? this.term;
    msg.mode = this.#mode;
    msg.supportedCodeVersion = this.cfg.supportedCodeVersion;
    this.msgs.push(msg);
  }
}
