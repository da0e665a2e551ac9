// The Python values that travel on PySyncObj's admin wire, as JavaScript sees them.

/** A Python tuple: kept apart from a list because the handshake wraps messages in tuples. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A `pysyncobj.node.TCPNode`: Python's str() of it is its address. */
export class PyNode {
  constructor(readonly address: string) {}
  toString(): string {
    return this.address;
  }
}

/** A Python float, kept apart from int so it renders as Python would (`1.0`, not `1`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyKey = string | number | bigint | boolean | null;

/**
 * int is a number when it is a safe integer, else a bigint, so nothing is rounded.
 * bytes is a Uint8Array; dict is a Map in insertion order.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyFloat
  | PyTuple
  | PyNode
  | PyValue[]
  | Map<PyKey, PyValue>;

/** Python's str() of a value, as syncobj_admin prints it. */
export function pyStr(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return pyRepr(value);
}

/** Python's repr(), for values inside containers. */
export function pyRepr(value: PyValue): string {
  if (typeof value === 'string') return pyStringRepr(value);
  if (value instanceof PyNode) return `TCPNode(${pyStringRepr(value.address)})`;
  if (value instanceof PyFloat) {
    if (Number.isInteger(value.value) && Math.abs(value.value) < 1e16) return value.value.toFixed(1);
    return String(value.value);
  }
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  if (value instanceof PyTuple) {
    const inner = value.items.map(pyRepr);
    return inner.length === 1 ? `(${inner[0]},)` : `(${inner.join(', ')})`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return pyStr(value);
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

function pyBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === '\\' || ch === quote) out += '\\' + ch;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
