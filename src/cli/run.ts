// Runs a checked invocation against the node and reports it; everything here may use the network
// through the client, so main.ts loads it only after the key derivation has started.

import { ExitCode, type ExitCodeValue } from '../errors.js';
import { AdminClient, describeCommand, isSuccessReply, type PasswordKeys } from '../client/index.js';
import type { Invocation } from './invocation.js';
import type { Output } from './output.js';
import { renderReplyText, toJson } from './render.js';

export async function runInvocation(inv: Invocation, keys: PasswordKeys, io: Output): Promise<ExitCodeValue> {
  const client = new AdminClient({ keys, timeoutMs: inv.timeoutMs, wire: inv.wire });
  const { action } = inv;
  // Each command beyond a single reply loads its own modules: -status pays for none of them.
  if (action.kind === 'health') return (await import('./commands/health.js')).runHealth(inv, action.maxLag, client, io);
  if (action.kind === 'drain') return (await import('./commands/drain.js')).runDrain(inv, action.drained, client, io);
  const { command } = action;
  if (command.kind === 'transfer') return (await import('./commands/transfer.js')).runTransfer(inv, command.node, client, io);
  if (command.kind === 'add') return (await import('./commands/add.js')).runAdd(inv, command.node, client, io);
  if (command.kind === 'status' && inv.prometheus && !inv.cluster) return (await import('./commands/status-metrics.js')).runStatusMetrics(inv, client, io);
  if (command.kind === 'status' && inv.cluster) return (await import('./commands/cluster-status.js')).runClusterStatus(inv, client, io);
  if (command.kind === 'status') {
    const status = await client.status(inv.address);
    io.out(inv.json ? toJson(status) : renderReplyText(status));
    return ExitCode.ok;
  }
  const reply = await client.execute(inv.address, command);
  const ok = isSuccessReply(reply);
  io.out(inv.json ? toJson({ command: describeCommand(command), ok, reply }) : renderReplyText(reply));
  return ok ? ExitCode.ok : ExitCode.commandFailed;
}
