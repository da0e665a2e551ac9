// Decodes the protocol-2 pickle subset that PySyncObj's admin wire uses. Globals are allow-listed:
// anything else is a ProtocolError, so a hostile peer can never make us construct arbitrary objects.

import { ProtocolError } from '../../errors.js';
import { PyFloat, PyNode, PyTuple, type PyKey, type PyValue } from './py-values.js';

/** A GLOBAL that has been allow-listed but not yet applied (REDUCE or NEWOBJ). */
class AllowedGlobal {
  constructor(readonly name: 'codecs.encode' | 'builtins.bytes' | 'TCPNode') {}
}
/** A TCPNode under construction: NEWOBJ made it, BUILD gives it its state. */
class NodeShell {
  address: string | null = null;
}
type StackItem = PyValue | AllowedGlobal | NodeShell;

const ALLOWED_GLOBALS: Record<string, AllowedGlobal['name']> = {
  '_codecs\nencode': 'codecs.encode',
  '__builtin__\nbytes': 'builtins.bytes',
  'builtins\nbytes': 'builtins.bytes',
  'pysyncobj.node\nTCPNode': 'TCPNode',
};

/** Caps that keep a hostile pickle from costing more than its own size in work. */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readPickle(data: Uint8Array): PyValue {
  return new PickleReader(data).read();
}

class PickleReader {
  #pos = 0;
  readonly #stack: StackItem[] = [];
  readonly #marks: number[] = [];
  readonly #memo = new Map<number, StackItem>();
  readonly #view: DataView;

  constructor(readonly data: Uint8Array) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  read(): PyValue {
    for (;;) {
      const op = this.#u8();
      switch (op) {
        case 0x80: { // PROTO
          const proto = this.#u8();
          if (proto > 5) throw this.#error(`unsupported pickle protocol ${proto}`);
          break;
        }
        case 0x2e: { // STOP
          if (this.#stack.length !== 1 || this.#marks.length) throw this.#error('unbalanced stack at STOP');
          if (this.#pos !== this.data.length) throw this.#error('trailing bytes after STOP');
          return this.#value(this.#stack.pop()!);
        }
        case 0x7d: this.#push(new Map()); break; // EMPTY_DICT
        case 0x5d: this.#push([]); break; // EMPTY_LIST
        case 0x29: this.#push(new PyTuple([])); break; // EMPTY_TUPLE
        case 0x28: this.#pushMark(); break; // MARK
        case 0x4e: this.#push(null); break; // NONE
        case 0x88: this.#push(true); break; // NEWTRUE
        case 0x89: this.#push(false); break; // NEWFALSE
        case 0x4b: this.#push(this.#u8()); break; // BININT1
        case 0x4d: this.#push(this.#take(2, (v, p) => v.getUint16(p, true))); break; // BININT2
        case 0x4a: this.#push(this.#take(4, (v, p) => v.getInt32(p, true))); break; // BININT
        case 0x8a: this.#push(this.#long(this.#u8())); break; // LONG1
        case 0x8b: { // LONG4
          const n = this.#take(4, (v, p) => v.getInt32(p, true));
          if (n < 0) throw this.#error('negative LONG4 length');
          this.#push(this.#long(n));
          break;
        }
        case 0x47: this.#push(new PyFloat(this.#take(8, (v, p) => v.getFloat64(p, false)))); break; // BINFLOAT
        case 0x58: this.#push(this.#text(this.#length32())); break; // BINUNICODE
        case 0x8c: this.#push(this.#text(this.#u8())); break; // SHORT_BINUNICODE
        case 0x43: this.#push(this.#bytes(this.#u8()).slice()); break; // SHORT_BINBYTES
        case 0x42: this.#push(this.#bytes(this.#length32()).slice()); break; // BINBYTES
        case 0x71: this.#memo.set(this.#u8(), this.#top()); break; // BINPUT
        case 0x72: this.#memo.set(this.#u32(), this.#top()); break; // LONG_BINPUT
        case 0x94: this.#memo.set(this.#memo.size, this.#top()); break; // MEMOIZE
        case 0x68: this.#push(this.#recall(this.#u8())); break; // BINGET
        case 0x6a: this.#push(this.#recall(this.#u32())); break; // LONG_BINGET
        case 0x85: this.#push(new PyTuple(this.#popN(1))); break; // TUPLE1
        case 0x86: this.#push(new PyTuple(this.#popN(2))); break; // TUPLE2
        case 0x87: this.#push(new PyTuple(this.#popN(3))); break; // TUPLE3
        case 0x74: this.#push(new PyTuple(this.#popToMark().map((i) => this.#value(i)))); break; // TUPLE
        case 0x61: { // APPEND
          const item = this.#value(this.#pop());
          this.#list(this.#top()).push(item);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.#popToMark().map((i) => this.#value(i));
          this.#list(this.#top()).push(...items);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.#value(this.#pop());
          const key = this.#key(this.#pop());
          this.#dict(this.#top()).set(key, value);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.#popToMark();
          if (items.length % 2) throw this.#error('SETITEMS with an odd number of items');
          const dict = this.#dict(this.#top());
          for (let i = 0; i < items.length; i += 2) dict.set(this.#key(items[i]!), this.#value(items[i + 1]!));
          break;
        }
        case 0x63: { // GLOBAL
          const module = this.#line();
          const name = this.#line();
          const allowed = ALLOWED_GLOBALS[`${module}\n${name}`];
          if (!allowed) throw this.#error(`pickle names the global ${module}.${name}, which this wire never uses; refusing it`);
          this.#push(new AllowedGlobal(allowed));
          break;
        }
        case 0x52: this.#reduce(); break; // REDUCE
        case 0x81: { // NEWOBJ
          const args = this.#pop();
          const cls = this.#pop();
          if (!(cls instanceof AllowedGlobal) || cls.name !== 'TCPNode' || !(args instanceof PyTuple) || args.items.length) {
            throw this.#error('NEWOBJ is allowed only for TCPNode with no arguments');
          }
          this.#push(new NodeShell());
          break;
        }
        case 0x62: { // BUILD
          const state = this.#pop();
          const target = this.#top();
          if (!(target instanceof NodeShell) || !(state instanceof Map)) throw this.#error('BUILD is allowed only for TCPNode state');
          const address = state.get('_id') ?? state.get('_TCPNode__address');
          if (typeof address !== 'string') throw this.#error('TCPNode state has no string _id');
          target.address = address;
          break;
        }
        default:
          throw this.#error(`pickle opcode 0x${op.toString(16).padStart(2, '0')} is not part of this wire`);
      }
    }
  }

  #reduce(): void {
    const args = this.#pop();
    const fn = this.#pop();
    if (!(fn instanceof AllowedGlobal) || !(args instanceof PyTuple)) throw this.#error('REDUCE of something other than an allowed global');
    if (fn.name === 'builtins.bytes' && args.items.length === 0) {
      this.#push(new Uint8Array(0));
      return;
    }
    const [text, encoding] = args.items;
    if (fn.name !== 'codecs.encode' || typeof text !== 'string' || encoding !== 'latin1' || args.items.length !== 2) {
      throw this.#error('REDUCE is allowed only as _codecs.encode(str, "latin1"), the bytes of protocol 2');
    }
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) throw this.#error('latin1 bytes with a character above 0xff');
      out[i] = code;
    }
    this.#push(out);
  }

  #error(what: string): ProtocolError {
    return new ProtocolError(`reply does not decode: ${what} (pickle offset ${this.#pos})`);
  }
  #u8(): number {
    if (this.#pos >= this.data.length) throw this.#error('pickle ends before STOP');
    return this.data[this.#pos++]!;
  }
  #take<T>(n: number, get: (v: DataView, at: number) => T): T {
    if (this.#pos + n > this.data.length) throw this.#error('pickle truncated');
    const v = get(this.#view, this.#pos);
    this.#pos += n;
    return v;
  }
  #u32(): number {
    return this.#take(4, (v, p) => v.getUint32(p, true));
  }
  /** A byte count, which cannot exceed what is left of the pickle. */
  #length32(): number {
    const n = this.#u32();
    if (n > this.data.length - this.#pos) throw this.#error(`declared length ${n} exceeds the pickle`);
    return n;
  }
  #bytes(n: number): Uint8Array {
    if (this.#pos + n > this.data.length) throw this.#error('pickle truncated');
    const out = this.data.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  #text(n: number): string {
    try {
      return utf8.decode(this.#bytes(n));
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw this.#error('string is not valid UTF-8');
    }
  }
  #line(): string {
    const end = this.data.indexOf(0x0a, this.#pos);
    if (end < 0 || end - this.#pos > 256) throw this.#error('GLOBAL name not terminated');
    const s = Buffer.from(this.data.subarray(this.#pos, end)).toString('latin1');
    this.#pos = end + 1;
    return s;
  }
  #long(n: number): number | bigint {
    if (n === 0) return 0;
    const bytes = this.#bytes(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    if (bytes[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  #push(item: StackItem): void {
    if (this.#stack.length > 100_000) throw this.#error('stack too deep');
    this.#stack.push(item);
  }
  #pushMark(): void {
    if (this.#marks.length >= MAX_DEPTH) throw this.#error('nesting too deep');
    this.#marks.push(this.#stack.length);
  }
  #pop(): StackItem {
    const floor = this.#marks.length ? this.#marks[this.#marks.length - 1]! : 0;
    if (this.#stack.length <= floor) throw this.#error('stack underflow');
    return this.#stack.pop()!;
  }
  #popN(n: number): PyValue[] {
    const items: PyValue[] = [];
    for (let i = 0; i < n; i++) items.unshift(this.#value(this.#pop()));
    return items;
  }
  #popToMark(): StackItem[] {
    const at = this.#marks.pop();
    if (at === undefined) throw this.#error('no MARK to pop to');
    return this.#stack.splice(at);
  }
  #top(): StackItem {
    const floor = this.#marks.length ? this.#marks[this.#marks.length - 1]! : 0;
    if (this.#stack.length <= floor) throw this.#error('stack underflow');
    return this.#stack[this.#stack.length - 1]!;
  }
  #recall(index: number): StackItem {
    const item = this.#memo.get(index);
    if (item === undefined) throw this.#error(`memo ${index} was never stored`);
    return item;
  }
  #list(item: StackItem): PyValue[] {
    if (!Array.isArray(item)) throw this.#error('APPEND to something other than a list');
    return item;
  }
  #dict(item: StackItem): Map<PyKey, PyValue> {
    if (!(item instanceof Map)) throw this.#error('SETITEM on something other than a dict');
    return item;
  }
  #key(item: StackItem): PyKey {
    const v = this.#value(item);
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
    throw this.#error('dict key of an unsupported type');
  }
  /** Turns a stack item into a finished value; markers and half-built objects are errors here. */
  #value(item: StackItem): PyValue {
    if (item instanceof AllowedGlobal) throw this.#error('a global used as a value');
    if (item instanceof NodeShell) {
      if (item.address === null) throw this.#error('TCPNode without state');
      return new PyNode(item.address);
    }
    return item;
  }
}
