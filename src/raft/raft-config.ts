// How a RaftNode is set up: identity, timing, limits, and the durable state it restarts from.
import { RaftInvariantError } from './errors.js';
import type { ElectionMode, Entry, HardState, NodeId, Snapshot } from './types.js';

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

/** The tuning settings with their defaults applied. */
export type Settings = Required<Pick<RaftConfig, 'random' | 'electionTicks' | 'heartbeatTicks' | 'maxInflight' | 'maxBatchBytes' | 'maxHeldProposals' | 'supportedCodeVersion' | 'preVote' | 'checkQuorum'>>;

export function settingsOf(config: RaftConfig): Settings {
  const settings: Settings = {
    random: config.random,
    electionTicks: config.electionTicks ?? 10,
    heartbeatTicks: config.heartbeatTicks ?? 1,
    maxInflight: config.maxInflight ?? 64,
    maxBatchBytes: config.maxBatchBytes ?? 1 << 20,
    maxHeldProposals: config.maxHeldProposals ?? 1000,
    supportedCodeVersion: config.supportedCodeVersion ?? 0,
    preVote: config.preVote ?? true,
    checkQuorum: config.checkQuorum ?? true,
  };
  if (settings.heartbeatTicks >= settings.electionTicks) throw new RaftInvariantError('heartbeatTicks must be below electionTicks');
  return settings;
}
