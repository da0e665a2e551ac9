// Framing, pickle and Fernet against truncated, oversized, tampered and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors.js';
import { wireVectors } from '../../fixtures/paths.js';
import { encodeFrame, FernetCodec, FrameDecoder, MessageCodec, readPickle } from '../../../src/wire/pysyncobj/index.js';
import { testSeed } from '../../support/seed.js';

const v = wireVectors();
const hex = (h: string) => Buffer.from(h, 'hex');

test('a frame split at every offset decodes to the same bodies', () => {
  const frames = v.pickles.slice(0, 4).map((p) => hex(p.plain_frame_hex));
  const stream = Buffer.concat(frames);
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new FrameDecoder();
    const bodies = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.deepEqual(bodies.map((b) => b.toString('hex')), v.pickles.slice(0, 4).map((p) => p.zlib_hex), `cut at ${cut}`);
    assert.equal(d.pending, 0);
  }
});

test('an oversized or negative declared length is refused before it is buffered', () => {
  const d = new FrameDecoder(1024);
  const head = Buffer.alloc(4);
  head.writeInt32LE(1025);
  assert.throws(() => d.push(head), (e: unknown) => e instanceof ProtocolError && /1025 bytes; the limit is 1024/.test(e.message));
  head.writeInt32LE(-1);
  assert.throws(() => new FrameDecoder().push(head), ProtocolError);
  const ok = new FrameDecoder(1024);
  assert.deepEqual(ok.push(Buffer.from([5, 0, 0])), []);
  assert.equal(ok.pending, 3);
});

test('a pickle naming any other global is refused, never resolved', () => {
  const evil = Buffer.concat([Buffer.from([0x80, 0x02, 0x63]), Buffer.from('os\nsystem\n', 'latin1'), Buffer.from([0x58, 2, 0, 0, 0]), Buffer.from('id'), Buffer.from([0x85, 0x52, 0x2e])]);
  assert.throws(() => readPickle(evil), (e: unknown) => e instanceof ProtocolError && /os\.system/.test(e.message));
  const builtinsEval = Buffer.concat([Buffer.from([0x80, 0x02, 0x63]), Buffer.from('builtins\neval\n', 'latin1'), Buffer.from([0x2e])]);
  assert.throws(() => readPickle(builtinsEval), ProtocolError);
  // An allowed global with a non-latin1 REDUCE is refused too.
  const codecsMisuse = Buffer.concat([Buffer.from([0x80, 0x02, 0x63]), Buffer.from('_codecs\nencode\n', 'latin1'), Buffer.from([0x58, 1, 0, 0, 0, 0x61, 0x58, 4, 0, 0, 0]), Buffer.from('rot13'), Buffer.from([0x86, 0x52, 0x2e])]);
  assert.throws(() => readPickle(codecsMisuse), ProtocolError);
});

test('every truncation of every vector pickle is a ProtocolError', () => {
  for (const p of v.pickles) {
    const full = hex(p.pickle_hex);
    for (let n = 0; n < full.length; n++) assert.throws(() => readPickle(full.subarray(0, n)), ProtocolError, `${p.name} cut at ${n}`);
    assert.throws(() => readPickle(Buffer.concat([full, Buffer.from([0x4e])])), ProtocolError, `${p.name} with trailing bytes`);
  }
});

test('random and mutated bodies only ever raise ProtocolError', () => {
  const codec = new MessageCodec(null);
  const seeds = v.pickles.map((p) => hex(p.pickle_hex));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (i, edits) => {
      const bytes = Buffer.from(seeds[i]!);
      for (const [at, b] of edits) bytes[at % bytes.length] = b;
      for (const attempt of [() => readPickle(bytes), () => codec.decodeBody(deflateSync(bytes))]) {
        try {
          attempt();
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }
    }),
    { numRuns: 3000, seed: testSeed(4242) },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        codec.decodeBody(bytes);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
    }),
    { numRuns: 2000, seed: testSeed(7) },
  );
});

test('a tampered Fernet token is refused by its MAC, and another key is refused too', () => {
  const fernet = new FernetCodec(hex(v.pbkdf2_key_hex));
  const token = Buffer.from(v.fernet[0]!.token_ascii, 'ascii');
  for (let i = 10; i < token.length - 2; i += 7) {
    const bad = Buffer.from(token);
    bad[i] = bad[i] === 0x41 ? 0x42 : 0x41;
    assert.throws(() => fernet.decrypt(bad), ProtocolError, `byte ${i}`);
  }
  const other = new FernetCodec(Buffer.alloc(32, 1));
  assert.throws(() => other.decrypt(token), /another password/);
  assert.throws(() => fernet.decrypt(Buffer.from('not base64!')), ProtocolError);
});

test('a zlib bomb is cut off', () => {
  const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
  assert.throws(() => new MessageCodec(null).decodeBody(bomb), ProtocolError);
  assert.ok(encodeFrame(bomb).length < 1024 * 1024);
});
