// Requests on their way into the log, wherever they were made: submitted, forwarded to the leader, held, deferred, accepted or rejected, until the log decides them.
import { decodeCodeVersion, refuseCodeVersion } from './code-version.js';
import type { Configuration } from './configuration.js';
import { checkConfChange, decodeConfChange, encodeMembership, membersOf } from './membership.js';
import type { Message, OutgoingMessage, RequestId, RequestKind } from './messages.js';
import { failed, type Failure, type RaftResult } from './results.js';
import { FORWARDED_REQUEST_TIMEOUT } from './timeouts.js';
import { decodeTransferTarget, type TransferOutcome, type TransferTracker } from './transfer.js';
import type { Entry, EntryKind, NodeId } from './types.js';

/** A request not yet in any log: held by a leader, or waiting to be forwarded. */
export interface HeldRequest {
  requestId: RequestId;
  kind: RequestKind;
  data: Uint8Array;
  /** The member the client talks to, which gets the answer. */
  origin: NodeId;
}

/** A request of this node known to sit at (index, term); it succeeded iff that entry commits. */
interface AppendedRequest {
  requestId: RequestId;
  kind: RequestKind;
  index: number;
  term: number;
  version?: number;
}

/** What the request path needs from the core. */
export interface ProposalHost {
  readonly id: NodeId;
  readonly electionTicks: number;
  readonly maxHeldProposals: number;
  readonly supportedCodeVersion: number;
  readonly configuration: Configuration;
  readonly transfer: TransferTracker;
  isLeader(): boolean;
  leader(): NodeId | null;
  committedOwnTerm(): boolean;
  supportedCodeVersionOf(id: NodeId): number | undefined;
  committed(): number;
  termAt(index: number): number | undefined;
  appendEntry(kind: EntryKind, data: Uint8Array): Entry;
  send(m: OutgoingMessage): void;
  report(r: RaftResult): void;
}

/** The failed result for a request of `kind`; transfers also say who leads. */
export function failure(p: { requestId: RequestId; kind: RequestKind }, f: Failure, leader: NodeId | null = null): RaftResult {
  switch (p.kind) {
    case 'command':
      return { type: 'proposal', requestId: p.requestId, ...f };
    case 'config':
      return { type: 'confChange', requestId: p.requestId, ...f };
    case 'version':
      return { type: 'version', requestId: p.requestId, ...f };
    case 'transfer':
      return { type: 'transfer', requestId: p.requestId, ...f, leader };
  }
}

interface Waiting {
  request: HeldRequest;
  elapsed: number;
}

export class Proposals {
  #nextRequestNumber = 1;
  /** Requests held by a leader while a transfer runs (thesis 3.10: stop accepting new requests). */
  #held: HeldRequest[] = [];
  /** Config and version requests a new leader keeps until it has committed an entry of its own term. */
  #deferred: HeldRequest[] = [];
  /** In index order, so resolving stops at the first one not yet committed. Survives leadership changes, so a deposed leader still reports the truth. */
  readonly #appended: AppendedRequest[] = [];
  /** This node's requests, until a leader is known. */
  readonly #waitingForLeader: Waiting[] = [];
  /** This node's requests sent to the leader: if that leader goes, it will not answer. */
  readonly #awaitingAnswer: Waiting[] = [];
  /** This node's requests a leader said it keeps: whichever leader appends them answers, so a change of leader is expected. */
  readonly #handedOn: Waiting[] = [];

  constructor(private readonly host: ProposalHost) {}

  newRequestId(): RequestId {
    return `${this.host.id}#${this.#nextRequestNumber++}`;
  }

  /** A request made on this member. */
  submit(request: HeldRequest): void {
    if (this.host.isLeader()) this.accept(request);
    else if (request.kind === 'transfer' && this.host.leader() === null) this.#reject(request, failed('noLeader', 'no leader is known'));
    else this.#forward(request);
  }

  /** A request another member forwarded here. */
  onForwarded(m: Extract<Message, { type: 'propose' }>): void {
    const request: HeldRequest = { requestId: m.requestId, kind: m.kind, data: m.data, origin: m.origin };
    if (this.host.isLeader()) return this.accept(request);
    const lead = this.host.leader();
    this.#reject(request, failed('notLeader', lead ? `not the leader; ${lead} is` : 'not the leader'));
  }

  /** The leader's answer to a request this node forwarded. */
  onAnswer(m: Extract<Message, { type: 'proposeResp' }>): void {
    const waiting = this.#take(m.requestId);
    if (!waiting) return;
    const { request } = waiting;
    if ('held' in m) this.#handedOn.push(waiting);
    else if ('reject' in m) this.#reject(request, failed(m.code, m.reason), m.leader ?? this.host.leader());
    else if ('index' in m) {
      this.#recordAppended(request, m.index, m.logTerm);
      this.resolve();
    } else if (request.kind === 'transfer') this.host.report({ type: 'transfer', requestId: request.requestId, ok: true, leader: m.leader });
  }

  /** The leader's handling of any request, local or forwarded. */
  accept(request: HeldRequest): void {
    const { host } = this;
    if (request.kind === 'transfer') {
      const chosen = host.transfer.choose(decodeTransferTarget(request.data));
      if (!('target' in chosen)) return this.#reject(request, chosen);
      // Acknowledged before TimeoutNow goes out: when the origin is the target, it must know the
      // request is kept before its own campaign makes it forget the old leader.
      this.#acknowledgeHeld(request);
      return host.transfer.start(chosen.target, request);
    }
    if (host.transfer.holdsProposals) {
      // Thesis 3.10: the log must stop growing for the target to catch up. Hold, do not fail.
      if (this.#held.length >= host.maxHeldProposals) return this.#reject(request, failed('busy', 'too many requests held during a leadership transfer'));
      this.#held.push(request);
      return this.#acknowledgeHeld(request);
    }
    if (request.kind === 'command') return this.#accepted(request, host.appendEntry('command', request.data));
    if (!host.committedOwnTerm()) {
      // A new leader must commit an entry of its term before changing membership (the single-server
      // change bug, thesis 4.1 errata), and before trusting its view of the enabled version.
      if (this.#deferred.length >= host.maxHeldProposals) return this.#reject(request, failed('busy', 'too many requests waiting for the new leader'));
      this.#deferred.push(request);
      return this.#acknowledgeHeld(request);
    }
    const { configuration } = host;
    if (request.kind === 'version') {
      const refusal = refuseCodeVersion(decodeCodeVersion(request.data), configuration.enabledCodeVersion, membersOf(configuration.membership), (id) =>
        id === host.id ? host.supportedCodeVersion : host.supportedCodeVersionOf(id),
      );
      if (refusal !== null) return this.#reject(request, refusal);
      return this.#accepted(request, host.appendEntry('version', request.data));
    }
    const change = decodeConfChange(request.data);
    if (configuration.changePending()) return this.#reject(request, failed('changeInProgress', 'another membership change is still being committed'));
    if (change.type === 'remove' && change.node === host.id) return this.#removeSelf(request);
    const check = checkConfChange(configuration.membership, change);
    if (!check.ok) return this.#reject(request, check);
    this.#accepted(request, host.appendEntry('config', encodeMembership(check.next)));
  }

  // ---- the core's events -------------------------------------------------------------------------

  /** A leader is known again: what waited for one goes to it. */
  leaderFound(): void {
    for (const w of this.#waitingForLeader.splice(0)) this.#forward(w.request);
  }

  /** Requests forwarded to a leader that is gone will not be answered by it: say so at once, so clients retry (with client sessions, safely). */
  leaderGone(previous: NodeId): void {
    for (const w of this.#awaitingAnswer.splice(0)) {
      this.#reject(w.request, failed('unknownOutcome', `outcome unknown: ${previous} stopped leading before it answered`));
    }
  }

  /** This node now leads: it takes what waited for a leader. */
  becameLeader(): void {
    for (const w of this.#waitingForLeader.splice(0)) this.accept(w.request);
  }

  /** Held and deferred requests go to the next leader. */
  leadershipLost(): void {
    for (const request of [...this.#held.splice(0), ...this.#deferred.splice(0)]) this.#waitingForLeader.push({ request, elapsed: 0 });
  }

  /** The leader committed an entry of its term: deferred changes may go in now. */
  ownTermCommitted(): void {
    for (const request of this.#deferred.splice(0)) this.accept(request);
  }

  /** A transfer failed while this node still leads: what was held is appended after all, except the removal of this leader, which needed the transfer. */
  released(f: Failure): void {
    const { id } = this.host;
    for (const request of this.#held.splice(0)) {
      if (request.kind === 'config' && isRemovalOf(request, id)) {
        this.#reject(request, failed(f.code, `leadership could not be handed over before removing ${id}: ${f.reason}`));
      } else this.accept(request);
    }
  }

  /** A transfer ended: answer whoever asked for it. */
  transferFinished(request: HeldRequest | null, outcome: TransferOutcome): void {
    const { host } = this;
    if (request === null || request.origin === host.id) {
      host.report({ type: 'transfer', requestId: request?.requestId ?? null, ...outcome });
    } else if (outcome.ok) host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, leader: outcome.leader });
    else host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, reject: true, code: outcome.code, reason: outcome.reason, leader: outcome.leader });
  }

  /** Waits are bounded in ticks: a lost forward is reported as an unknown outcome, not left hanging. */
  tick(): void {
    const limit = FORWARDED_REQUEST_TIMEOUT * this.host.electionTicks;
    const expired: [HeldRequest, Failure][] = [];
    for (const [list, why] of [
      [this.#waitingForLeader, failed('noLeader', 'no leader was found in time')],
      [this.#awaitingAnswer, failed('unknownOutcome', 'outcome unknown: the leader did not answer in time')],
      [this.#handedOn, failed('unknownOutcome', 'outcome unknown: the leader did not answer in time')],
    ] as const) {
      for (let i = 0; i < list.length; ) {
        const w = list[i]!;
        if (++w.elapsed >= limit) {
          list.splice(i, 1);
          expired.push([w.request, why]);
        } else i++;
      }
    }
    for (const [request, why] of expired) this.#reject(request, why);
  }

  /**
   * Decides the requests at or below `committed`: the same term at their index means they committed;
   * another term means a newer leader overwrote them (thesis 3.5). An add is done once its learner entry
   * commits, as PySyncObj answers it (issue 10); the leader promotes the learner later, once it caught up.
   */
  resolve(): void {
    if (this.#appended.length === 0) return;
    const { host } = this;
    const committed = host.committed();
    let decided = 0;
    while (decided < this.#appended.length && this.#appended[decided]!.index <= committed) decided++;
    for (const p of this.#appended.splice(0, decided)) {
      const term = host.termAt(p.index);
      if (term === undefined) host.report(failure(p, failed('unknownOutcome', 'outcome unknown: the log was replaced by a snapshot')));
      else if (term !== p.term) host.report(failure(p, failed('overwritten', 'overwritten by a newer leader before it committed')));
      else if (p.kind === 'command') host.report({ type: 'proposal', requestId: p.requestId, ok: true, index: p.index });
      else if (p.kind === 'version') host.report({ type: 'version', requestId: p.requestId, ok: true, version: p.version ?? 0, index: p.index });
      else host.report({ type: 'confChange', requestId: p.requestId, ok: true, index: p.index });
    }
  }

  /** Entries beyond `lastIndex` were dropped unwritten (storage failure): no member can hold them. */
  failUnwritten(lastIndex: number, reason: string): void {
    for (let i = 0; i < this.#appended.length; ) {
      const p = this.#appended[i]!;
      if (p.index > lastIndex) {
        this.#appended.splice(i, 1);
        this.host.report(failure(p, failed('storageFault', `storage failure before it was written: ${reason}`)));
      } else i++;
    }
  }

  // ---- internals ---------------------------------------------------------------------------------

  #forward(request: HeldRequest): void {
    const { host } = this;
    const lead = host.leader();
    if (lead !== null && lead !== host.id) {
      host.send({ type: 'propose', to: lead, requestId: request.requestId, kind: request.kind, data: request.data, origin: request.origin });
      if (request.origin === host.id) this.#awaitingAnswer.push({ request, elapsed: 0 });
    } else if (this.#waitingForLeader.length >= host.maxHeldProposals) {
      this.#reject(request, failed('busy', 'no leader is known and too many requests are waiting for one'));
    } else {
      this.#waitingForLeader.push({ request, elapsed: 0 });
    }
  }

  #take(requestId: RequestId): Waiting | undefined {
    for (const list of [this.#awaitingAnswer, this.#handedOn]) {
      const i = list.findIndex((w) => w.request.requestId === requestId);
      if (i >= 0) return list.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Tells a forwarding member that its request is kept here, so it waits past a change of leader. */
  #acknowledgeHeld(request: HeldRequest): void {
    if (request.origin !== this.host.id) this.host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, held: true });
  }

  /** Removing the leader hands leadership over first, then the new leader commits the removal. */
  #removeSelf(request: HeldRequest): void {
    const { host } = this;
    const voters = host.configuration.membership.voters;
    if (!voters.includes(host.id) || voters.length === 1) {
      return this.#reject(request, failed('invalidChange', `${host.id} is the last voter; removing it would leave no quorum`));
    }
    const target = host.transfer.pickTarget();
    if (target === null) return this.#reject(request, failed('ineligibleTarget', 'no other voter can take over leadership before the removal'));
    this.#held.push(request);
    this.#acknowledgeHeld(request);
    host.transfer.start(target, null);
  }

  #recordAppended(request: HeldRequest, index: number, term: number): void {
    const p: AppendedRequest = { requestId: request.requestId, kind: request.kind, index, term };
    if (request.kind === 'version') p.version = decodeCodeVersion(request.data);
    let i = this.#appended.length;
    while (i > 0 && this.#appended[i - 1]!.index > index) i--;
    this.#appended.splice(i, 0, p);
  }

  #accepted(request: HeldRequest, entry: Entry): void {
    if (request.origin === this.host.id) this.#recordAppended(request, entry.index, entry.term);
    else this.host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, index: entry.index, logTerm: entry.term });
  }

  #reject(request: HeldRequest, f: Failure, leader: NodeId | null = this.host.leader()): void {
    const { host } = this;
    if (request.origin === host.id) host.report(failure(request, f, leader));
    else if (request.kind === 'transfer') {
      host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, reject: true, code: f.code, reason: f.reason, leader });
    } else host.send({ type: 'proposeResp', to: request.origin, requestId: request.requestId, reject: true, code: f.code, reason: f.reason });
  }
}

function isRemovalOf(request: HeldRequest, id: NodeId): boolean {
  const change = decodeConfChange(request.data);
  return change.type === 'remove' && change.node === id;
}
