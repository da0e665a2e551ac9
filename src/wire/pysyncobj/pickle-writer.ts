// Encodes values as Python 3's pickle protocol 2 does, memo numbering included, so our requests
// and replies are byte-identical to what PySyncObj itself sends.

import { ProtocolError } from '../../errors.js';
import { PyFloat, PyNode, PyTuple, type PyKey, type PyValue } from './py-values.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

export function writePickle(value: PyValue): Buffer {
  const w = new PickleWriter();
  w.bytes(0x80, 0x02);
  w.value(value);
  w.bytes(0x2e);
  return w.finish();
}

class PickleWriter {
  #chunks: Buffer[] = [];
  #memoCount = 0;
  /** Python memoizes by object identity: globals and the 'latin1' constant recur as one object. */
  readonly #shared = new Map<string, number>();

  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
  bytes(...b: number[]): void {
    this.#chunks.push(Buffer.from(b));
  }
  #raw(buf: Buffer): void {
    this.#chunks.push(buf);
  }
  /** Python memoizes every str, container and object it writes; mirror it for identical bytes. */
  #memoize(): number {
    const n = this.#memoCount++;
    this.#memoOp(0x71, 0x72, n); // BINPUT / LONG_BINPUT
    return n;
  }
  /** Writes a BINGET for an object already memoized as `key`, or writes it and remembers it. */
  #once(key: string, write: () => number): void {
    const n = this.#shared.get(key);
    if (n === undefined) this.#shared.set(key, write());
    else this.#memoOp(0x68, 0x6a, n); // BINGET / LONG_BINGET
  }
  /** A memo opcode with a one-byte index, or its four-byte form past 255. */
  #memoOp(short: number, long: number, n: number): void {
    if (n < 256) return this.bytes(short, n);
    const b = Buffer.alloc(5);
    b[0] = long;
    b.writeUInt32LE(n, 1);
    this.#raw(b);
  }

  value(v: PyValue | PyKey): void {
    if (v === null) return this.bytes(0x4e);
    if (v === true) return this.bytes(0x88);
    if (v === false) return this.bytes(0x89);
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return this.#float(v);
      return this.#int(BigInt(v));
    }
    if (typeof v === 'bigint') return this.#int(v);
    if (typeof v === 'string') {
      this.#str(v);
      return;
    }
    if (v instanceof PyFloat) return this.#float(v.value);
    if (v instanceof Uint8Array) return this.#pyBytes(v);
    if (v instanceof PyTuple) return this.#tuple(v.items);
    if (v instanceof PyNode) return this.#node(v);
    if (Array.isArray(v)) return this.#list(v);
    if (v instanceof Map) return this.#dict(v);
    throw new ProtocolError(`cannot pickle a value of type ${typeof v}`);
  }

  #int(v: bigint): void {
    if (v >= 0n && v <= 0xffn) return this.bytes(0x4b, Number(v));
    if (v >= 0n && v <= 0xffffn) return this.bytes(0x4d, Number(v) & 0xff, Number(v) >> 8);
    if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a;
      b.writeInt32LE(Number(v), 1);
      return this.#raw(b);
    }
    // LONG1: little-endian two's complement in the fewest bytes that keep the sign.
    const out: number[] = [];
    let x = v;
    for (;;) {
      const byte = Number(x & 0xffn);
      out.push(byte);
      x >>= 8n;
      if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
    }
    this.bytes(0x8a, out.length, ...out);
  }
  #float(v: number): void {
    const b = Buffer.alloc(9);
    b[0] = 0x47;
    b.writeDoubleBE(v, 1);
    this.#raw(b);
  }
  #str(s: string): number {
    const body = Buffer.from(s, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x58;
    head.writeUInt32LE(body.length, 1);
    this.#raw(head);
    this.#raw(body);
    return this.#memoize();
  }
  #global(module: string, name: string): void {
    this.#once(`global:${module}.${name}`, () => {
      this.bytes(0x63);
      this.#raw(latin1(`${module}\n${name}\n`));
      return this.#memoize();
    });
  }
  /** Protocol 2 has no bytes opcode that Python 2 reads, so Python 3 writes codecs.encode(str, 'latin1'). */
  #pyBytes(b: Uint8Array): void {
    if (b.length === 0) {
      this.#global('__builtin__', 'bytes');
      this.bytes(0x29, 0x52);
      this.#memoize();
      return;
    }
    this.#global('_codecs', 'encode');
    this.#str(Buffer.from(b).toString('latin1'));
    this.#once('str:latin1', () => this.#str('latin1'));
    this.bytes(0x86);
    this.#memoize();
    this.bytes(0x52);
    this.#memoize();
  }
  #tuple(items: PyValue[]): void {
    if (items.length === 0) return this.bytes(0x29);
    if (items.length <= 3) {
      for (const i of items) this.value(i);
      this.bytes(0x84 + items.length);
    } else {
      this.bytes(0x28);
      for (const i of items) this.value(i);
      this.bytes(0x74);
    }
    this.#memoize();
  }
  #list(items: PyValue[]): void {
    this.bytes(0x5d);
    this.#memoize();
    this.#batched(items.length, (i) => this.value(items[i]!), 0x61, 0x65);
  }
  #dict(map: Map<PyKey, PyValue>): void {
    this.bytes(0x7d);
    this.#memoize();
    const entries = [...map];
    this.#batched(entries.length, (i) => {
      this.value(entries[i]![0]);
      this.value(entries[i]![1]);
    }, 0x73, 0x75);
  }
  /** Python writes one item with APPEND/SETITEM and runs of up to 1000 between MARK and APPENDS/SETITEMS. */
  #batched(count: number, write: (i: number) => void, single: number, many: number): void {
    for (let start = 0; start < count; start += 1000) {
      const end = Math.min(count, start + 1000);
      if (end - start === 1) {
        write(start);
        this.bytes(single);
      } else {
        this.bytes(0x28);
        for (let i = start; i < end; i++) write(i);
        this.bytes(many);
      }
    }
  }
  #node(node: PyNode): void {
    this.#global('pysyncobj.node', 'TCPNode');
    this.bytes(0x29, 0x81);
    this.#memoize();
    const sep = node.address.lastIndexOf(':');
    const state = new Map<PyKey, PyValue>([
      ['_id', node.address],
      ['_TCPNode__address', node.address],
      ['_TCPNode__host', node.address.slice(0, sep)],
      ['_TCPNode__port', Number(node.address.slice(sep + 1))],
    ]);
    this.#dict(state);
    this.bytes(0x62);
  }
}
