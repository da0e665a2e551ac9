// Public surface of node storage: open a data dir, recover from it, persist Raft state into it.

export { NodeStorage, type NodeStorageOptions, type RecoveredState, type FsyncPolicy, type DirLock } from './node-storage.js';
export { StorageError, type StorageErrorKind } from './storage-error.js';
export { nodeStorageFs, type StorageFs } from './storage-fs.js';
export { FaultInjectingFs, faultPlanFromEnv, DISK_FULL_ENV, type FaultPlan } from './fault-injecting-fs.js';
export type { DrainRecord } from './drain-file.js';
