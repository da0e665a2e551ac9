// Reads -prometheus output with a parser of the format, then checks what that parser lets pass but
// Prometheus (promtool check metrics) would not: one block per family, each with HELP and TYPE gauge,
// numeric values, no sample twice. Returns each family's samples by their member label.
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type Exposition = Map<string, Map<string, number>>;

export function readExposition(text: string): Exposition {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = parsePrometheusTextFormat(text);
  const out: Exposition = new Map();
  for (const f of families) {
    assert.ok(!out.has(f.name), `${f.name} appears in one block, once`);
    assert.match(f.name, /^syncobj_[a-z_]+$/);
    assert.ok(f.help.length > 0, `${f.name} has a HELP line`);
    assert.equal(f.type, 'GAUGE', `${f.name} has TYPE gauge`);
    const samples = new Map<string, number>();
    for (const m of f.metrics) {
      assert.match(m.value ?? '', /^-?[0-9]+$/, `${f.name} sample value '${m.value}'`);
      const member = m.labels?.['member'] ?? '';
      assert.deepEqual(Object.keys(m.labels ?? {}), member ? ['member'] : [], `${f.name}: the one label is member`);
      assert.ok(!samples.has(member), `${f.name}{member="${member}"} is given once`);
      samples.set(member, Number(m.value));
    }
    out.set(f.name, samples);
  }
  return out;
}
