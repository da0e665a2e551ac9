// Output as syncobj_admin prints it, JSON that keeps big integers exact, and the health verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReplyText, toJson } from '../../src/cli/render.js';
import { judgeHealth } from '../../src/cli/health.js';
import { ExitCode } from '../../src/errors.js';
import type { StatusMap } from '../../src/client/index.js';

test('a status dict renders as sorted key: value lines with Python spellings', () => {
  const status: StatusMap = new Map<string, string | number | bigint | boolean | null>([
    ['self', '10.0.0.2:4322'], ['leader', null], ['has_quorum', false], ['commit_idx', 2n ** 70n], ['state', 0], ['Zeta', 'x'],
  ]);
  assert.equal(renderReplyText(status), 'Zeta: x\ncommit_idx: 1180591620717411303424\nhas_quorum: False\nleader: None\nself: 10.0.0.2:4322\nstate: 0\n');
  assert.equal(renderReplyText('SUCCESS ADD a:1'), 'SUCCESS ADD a:1\n');
  assert.equal(renderReplyText(true), 'True\n');
});

test('JSON keeps integers beyond 2^53 exact as strings', () => {
  const status: StatusMap = new Map<string, string | number | bigint | boolean | null>([['commit_idx', 2n ** 60n + 1n], ['log_len', 5], ['leader', null]]);
  assert.equal(toJson(status), '{"commit_idx":"1152921504606846977","leader":null,"log_len":5}\n');
  assert.equal(toJson({ small: 5n }), '{"small":5}\n');
});

const base = (over: [string, string | number | boolean | null][]): StatusMap =>
  new Map<string, string | number | bigint | boolean | null>([['self', 'a:1'], ['leader', 'b:2'], ['state', 0], ['has_quorum', true], ['raft_term', 3], ['commit_idx', 90], ['leader_commit_idx', 100], ...over]);

test('health: leader and quorum are healthy; no leader or no quorum is exit 7; lag past -max-lag is exit 6', () => {
  assert.equal(judgeHealth(base([]), null).exitCode, ExitCode.ok);
  assert.match(judgeHealth(base([]), null).line, /^healthy: a:1 is a follower of b:2, term 3, commit 90, lag 10$/);
  assert.equal(judgeHealth(base([]), 10).exitCode, ExitCode.ok);
  const lagging = judgeHealth(base([]), 9);
  assert.equal(lagging.exitCode, ExitCode.degraded);
  assert.match(lagging.line, /10 entries behind .*limit 9/);
  const leaderless = judgeHealth(base([['leader', null]]), null);
  assert.equal(leaderless.exitCode, ExitCode.noQuorum);
  assert.match(leaderless.line, /sees no leader/);
  assert.equal(judgeHealth(base([['has_quorum', false]]), null).exitCode, ExitCode.noQuorum);
  assert.match(judgeHealth(base([['state', 2], ['leader', 'a:1']]), null).line, /is the leader/);
});
