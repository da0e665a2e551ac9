// The package's public API (`import { AdminClient, KvClient } from 'syncobj-admin'`): the admin
// client the CLI uses, the key-value client for syncobj-node, and the typed errors both throw.
// Everything else under dist/ is internal and may change without notice.

export { AdminClient, type AdminClientOptions, type MemberAddress, type ReadBarrier, type WireChoice } from './client/admin-client.js';
export { parseAddress, type NodeAddress } from './client/address.js';
export { describeCommand, isSuccessReply, type AdminCommand, type AdminReply, type StatusMap, type StatusValue } from './client/commands.js';
export { KvClient, type KvClientOptions } from './client/kv-client.js';
export {
  AuthError,
  CommandFailedError,
  ConnectError,
  ExitCode,
  ProtocolError,
  SyncobjError,
  TimeoutError,
  UsageError,
  type ExitCodeValue,
} from './errors.js';
