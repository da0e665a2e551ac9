// -status -prometheus for one member: its facts, and the exit code its health verdict earns from the
// status alone (no read barrier), so a member that is down still gives samples (syncobj_up 0).

import { SyncobjError, UsageError, type ExitCodeValue } from '../../errors.js';
import type { AdminClient } from '../../client/index.js';
import { describeError } from '../error-report.js';
import { judgeHealth } from '../health.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { factsFromStatus, factsOfSilentMember, renderPrometheus } from '../prometheus.js';

export async function runStatusMetrics(inv: Invocation, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  const member = inv.address.text;
  try {
    const status = await client.status(inv.address);
    const { exitCode } = judgeHealth(status, null);
    io.out(renderPrometheus([factsFromStatus(member, status)], exitCode));
    return exitCode;
  } catch (err) {
    if (!(err instanceof SyncobjError) || err instanceof UsageError) throw err;
    io.err(describeError(err).line);
    io.out(renderPrometheus([factsOfSilentMember(member)], err.exitCode));
    return err.exitCode;
  }
}
