// Public surface of the admin client: one API, whatever the wire.
export { AdminClient, type AdminClientOptions, type DrainReply, type ReadBarrier, type WireChoice } from './admin-client.js';
export { parseAddress, type NodeAddress } from './address.js';
export { describeCommand, isSuccessReply, type AdminCommand, type AdminReply, type StatusMap, type StatusValue } from './commands.js';
export { PasswordKeys } from './password-keys.js';
