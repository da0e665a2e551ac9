// Property tests: whatever bytes arrive, the decoders fail only with ProtocolError (seeded; the seed prints on failure).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors.js';
import { FrameDecoder, MessageCodec, deriveNativeKey } from '../../../src/wire/native/index.js';
import { handshakeInMemory } from './helpers.js';
import { testSeed } from '../../support/seed.js';

const seed = testSeed(20_260_116);
const params = { seed, numRuns: 300 };

function onlyProtocolErrors(run: () => void): boolean {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
  return true;
}

test(`FrameDecoder on random chunks throws nothing but ProtocolError (seed ${seed})`, () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.integer({ min: 16, max: 512 }), (chunks, max) =>
      onlyProtocolErrors(() => {
        const decoder = new FrameDecoder({ maxFrameBytes: max });
        for (const chunk of chunks) {
          for (const frame of decoder.push(chunk)) assert.ok(frame.length >= 16 && frame.length <= max);
        }
      }),
    ),
    params,
  );
});

test(`a session fed mutated valid traffic throws nothing but ProtocolError (seed ${seed})`, async () => {
  const key = await deriveNativeKey('prop');
  const messages = [{ a: 1 }, 'two', [3, Uint8Array.of(3)], { nested: { deep: [null, true, 1.5] } }];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 3 }),
      async (mutations, cuts) => {
        const { client, server } = await handshakeInMemory(key, key);
        const stream = Buffer.concat(messages.map((m) => client.encode(m)));
        for (const { at, value } of mutations) stream[at % stream.length] = value;
        const points = [...new Set(cuts.map((c) => c % stream.length))].sort((x, y) => x - y);
        return onlyProtocolErrors(() => {
          let from = 0;
          for (const point of [...points, stream.length]) {
            server.decode(stream.subarray(from, point));
            from = point;
          }
        });
      },
    ),
    { ...params, numRuns: 100 },
  );
});

test(`MessageCodec on random bodies throws nothing but ProtocolError (seed ${seed})`, async () => {
  const codec = await MessageCodec.create();
  let failures = 0;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (body) =>
      onlyProtocolErrors(() => {
        try {
          codec.decode(body);
        } catch (err) {
          failures++;
          throw err;
        }
      }),
    ),
    { ...params, numRuns: 1000 },
  );
  assert.ok(failures > 0, 'random bytes do fail to decode sometimes');
});
