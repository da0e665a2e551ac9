// Runs a checked invocation against the node and reports it; everything here may use the network
// through the client, so main.ts loads it only after the key derivation has started.

import { ExitCode, type ExitCodeValue } from '../errors.js';
import { AdminClient, describeCommand, isSuccessReply, type PasswordKeys } from '../client/index.js';
import { runHealth } from './commands/health.js';
import { runTransfer } from './commands/transfer.js';
import { renderClusterTable, memberJson } from './cluster-report.js';
import { gatherCluster } from './cluster-view.js';
import type { Invocation } from './invocation.js';
import type { Output } from './output.js';
import { renderReplyText, toJson } from './render.js';

export async function runInvocation(inv: Invocation, keys: PasswordKeys, io: Output): Promise<ExitCodeValue> {
  const client = new AdminClient({ keys, timeoutMs: inv.timeoutMs, wire: inv.wire });
  const { action } = inv;
  if (action.kind === 'health') return runHealth(inv, action.maxLag, client, io);
  const { command } = action;
  if (command.kind === 'transfer') return runTransfer(inv, command.node, client, io);
  if (command.kind === 'status' && inv.cluster) {
    const view = await gatherCluster(client, inv.address.text, inv.timeoutMs);
    io.out(inv.json ? toJson(view.members.map(memberJson)) : await renderClusterTable(view, inv.color));
    return view.members.some((m) => m.status !== null) ? ExitCode.ok : ExitCode.unreachable;
  }
  const reply = await client.execute(inv.address, command);
  const ok = command.kind === 'status' ? reply instanceof Map : isSuccessReply(reply);
  if (inv.json) {
    io.out(toJson(command.kind === 'status' && reply instanceof Map ? reply : { command: describeCommand(command), ok, reply }));
  } else {
    io.out(renderReplyText(reply));
  }
  return ok ? ExitCode.ok : ExitCode.commandFailed;
}
