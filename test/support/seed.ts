// The seed of a property test: fixed by default so every run checks the same cases, SEED=<n> to replay
// or explore another. Tests put it in their names, so it prints with every result, failures included.

export function testSeed(fixed: number): number {
  const raw = process.env['SEED'];
  if (raw === undefined || raw === '') return fixed;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}
