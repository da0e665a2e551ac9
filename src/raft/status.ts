// What a member reports about itself: its role, log, configuration and, when it leads, what it knows of each follower.
import { hasMajority } from './quorum.js';
import { membersOf, type Membership } from './membership.js';
import type { ProgressState } from './progress.js';
import type { ProgressTracker } from './tracker.js';
import type { TransferPhase } from './transfer.js';
import type { ElectionMode, NodeId } from './types.js';

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

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
  /** Messages a leader ignored because their sender is not a member it tracks (a removed member, one not yet added). */
  ignoredFromNonMembers: { count: number; lastSender: NodeId | null };
}

/** The parts of the status the core keeps itself; the rest is read from the tracker and the membership. */
export type CoreState = Omit<RaftStatus, 'role' | 'voters' | 'learners' | 'peers' | 'hasQuorum'> & { role: Role; inLease: boolean };

export function buildStatus(core: CoreState, membership: Membership, tracker: ProgressTracker): RaftStatus {
  const { inLease, ...rest } = core;
  const { voters, learners } = membership;
  const leading = core.role === 'leader';
  const peers: PeerStatus[] = membersOf(membership)
    .filter((id) => id !== core.id)
    .map((id) => {
      const pr = tracker.get(id);
      const info = tracker.peer(id);
      return {
        id,
        voter: voters.includes(id),
        mode: info?.mode ?? null,
        supportedCodeVersion: info?.supportedCodeVersion ?? null,
        match: pr?.match ?? null,
        next: pr?.next ?? null,
        state: pr?.state ?? null,
        recentActive: pr ? tracker.recentlyHeard(id) : null,
      };
    });
  return {
    ...rest,
    role: core.role === 'follower' && learners.includes(core.id) ? 'learner' : core.role,
    voters: [...voters],
    learners: [...learners],
    peers,
    hasQuorum: leading ? hasMajority(voters, (id) => id === core.id || tracker.recentlyHeard(id)) : inLease,
  };
}
