// Runs a checked invocation against the node and reports it; everything here may use the network
// through the client, so main.ts loads it only after the key derivation has started.

import { CommandFailedError, ExitCode, type ExitCodeValue } from '../errors.js';
import { AdminClient, describeCommand, isSuccessReply, type PasswordKeys } from '../client/index.js';
import { runTransfer } from './commands/transfer.js';
import { judgeHealth } from './health.js';
import type { Invocation } from './invocation.js';
import type { Output } from './output.js';
import { renderReplyText, toJson } from './render.js';

export async function runInvocation(inv: Invocation, keys: PasswordKeys, io: Output): Promise<ExitCodeValue> {
  const client = new AdminClient({ keys, timeoutMs: inv.timeoutMs });
  const { action } = inv;
  if (action.kind === 'health') {
    const reply = await client.execute(inv.address, { kind: 'status' });
    if (!(reply instanceof Map)) throw new CommandFailedError(`${inv.address.text} answered 'status' with ${renderReplyText(reply).trim()}`);
    const verdict = judgeHealth(reply, action.maxLag);
    if (inv.json) {
      io.out(toJson({ healthy: verdict.exitCode === ExitCode.ok, exit_code: verdict.exitCode, node: verdict.node, leader: verdict.leader, lag: verdict.lag, problems: verdict.problems }));
    } else {
      io.out(verdict.line + '\n');
    }
    return verdict.exitCode;
  }
  const { command } = action;
  if (command.kind === 'transfer') return runTransfer(inv, command.node, client, io);
  const reply = await client.execute(inv.address, command);
  const ok = command.kind === 'status' ? reply instanceof Map : isSuccessReply(reply);
  if (inv.json) {
    io.out(toJson(command.kind === 'status' && reply instanceof Map ? reply : { command: describeCommand(command), ok, reply }));
  } else {
    io.out(renderReplyText(reply));
  }
  return ok ? ExitCode.ok : ExitCode.commandFailed;
}
