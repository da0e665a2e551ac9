// What the chaos clients did: each key-value operation with its invocation and response times and its outcome.

export type OpKind = 'set' | 'del' | 'get';

/**
 * `ok`: the member acknowledged it. `unknown`: no answer in time or an error after the request may
 * have left; a write may or may not have been applied, so its response time is taken as infinity.
 * `fail`: certainly not applied (the request never left the client).
 */
export type OpStatus = 'ok' | 'unknown' | 'fail';

export interface HistoryOp {
  id: number;
  client: number;
  key: string;
  kind: OpKind;
  /** For set, the value written (unique per run); for an ok get, the value read (null = absent). */
  value: string | null;
  /** Milliseconds on one monotonic clock (performance.now()). */
  call: number;
  ret: number;
  status: OpStatus;
  /** Why it failed or was left unknown, for the report. */
  error?: string;
}

/** Records operations as they are invoked and complete; one History per run. */
export class History {
  readonly ops: HistoryOp[] = [];

  invoke(client: number, key: string, kind: OpKind, value: string | null = null): HistoryOp {
    const op: HistoryOp = { id: this.ops.length, client, key, kind, value, call: performance.now(), ret: Infinity, status: 'unknown' };
    this.ops.push(op);
    return op;
  }

  ok(op: HistoryOp, readValue?: string | null): void {
    op.ret = performance.now();
    op.status = 'ok';
    if (op.kind === 'get') op.value = readValue ?? null;
  }

  /** An error: writes stay possibly applied (ret = Infinity); a read tells nothing and is dropped by the checker. */
  unknown(op: HistoryOp, error: string): void {
    op.status = 'unknown';
    op.error = error;
    op.ret = op.kind === 'get' ? performance.now() : Infinity;
  }

  fail(op: HistoryOp, error: string): void {
    op.status = 'fail';
    op.error = error;
    op.ret = performance.now();
  }

  counts(): { ok: number; unknown: number; fail: number } {
    const c = { ok: 0, unknown: 0, fail: 0 };
    for (const op of this.ops) c[op.status]++;
    return c;
  }
}

export function describeOp(op: HistoryOp): string {
  const what = op.kind === 'set' ? `set(${op.key}, ${op.value})` : op.kind === 'del' ? `del(${op.key})` : `get(${op.key}) -> ${op.status === 'ok' ? JSON.stringify(op.value) : '?'}`;
  const ret = op.ret === Infinity ? 'inf' : op.ret.toFixed(1);
  return `#${op.id} c${op.client} ${what} [${op.call.toFixed(1)}, ${ret}] ${op.status}${op.error ? ` (${op.error})` : ''}`;
}
