// -status -cluster: every member as a row, the reasons under the table, and the cluster's verdict
// as the exit code, so a script sees what the table shows (the same codes as -health -cluster).

import type { ExitCodeValue } from '../../errors.js';
import type { AdminClient } from '../../client/index.js';
import { memberJson, viewRows } from '../cluster-report.js';
import { surveyCluster } from '../cluster-survey.js';
import { renderClusterTable } from '../cluster-table.js';
import type { Invocation } from '../invocation.js';
import type { Output } from '../output.js';
import { factsFromView, renderPrometheus } from '../prometheus.js';
import { toJson } from '../render.js';

export async function runClusterStatus(inv: Invocation, client: AdminClient, io: Output): Promise<ExitCodeValue> {
  const { view, verdict } = await surveyCluster(inv, client, { maxLag: null, barrier: false });
  if (inv.prometheus) io.out(renderPrometheus(factsFromView(view), verdict.exitCode));
  else io.out(inv.json ? toJson(viewRows(view).map(memberJson)) : await renderClusterTable(view, verdict, { color: inv.color, width: io.columns }));
  return verdict.exitCode;
}
