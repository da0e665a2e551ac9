// Shared value types of the Raft core, also used by storage and the wire codecs that carry them.

/** A member's identity: its "host:port" address, as PySyncObj names nodes. */
export type NodeId = string;

/** Per-member election mode (Tarantool PR 12696): every mode votes; only `candidate` campaigns on its own. */
export type ElectionMode = 'candidate' | 'voter' | 'manual';

/** What must be durable before any message that depends on it leaves the node. */
export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

export type EntryKind = 'noop' | 'command' | 'config' | 'version';

export interface Entry {
  index: number;
  term: number;
  kind: EntryKind;
  /** Opaque to the core for `command`; an encoded change for `config` and `version`. */
  data: Uint8Array;
}

export interface SnapshotMeta {
  index: number;
  term: number;
  /** Voters and learners as of `index`. */
  voters: NodeId[];
  learners: NodeId[];
  /** The enabled code version as of `index`. */
  codeVersion: number;
}

export interface Snapshot {
  meta: SnapshotMeta;
  /** The state machine's own serialization. */
  data: Uint8Array;
}
