// Python itself reads what our pickle writer produces, for every kind of value the wire carries,
// including memo indices past 255 (LONG_BINPUT) and integers past 2^63.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PyNode, PyTuple, pyRepr, readPickle, writePickle, type PyValue, type PyKey } from '../../src/wire/pysyncobj/index.js';
import { interopSkip, PYTHON } from '../support/pysyncobj-cluster.js';

const skip = interopSkip();

test('Python unpickles our bytes to the value we meant', { skip }, () => {
  const many = Array.from({ length: 300 }, (_, i) => `member-${i}`);
  const values: PyValue[] = [
    new Map<PyKey, PyValue>([['self', new PyNode('127.0.0.1:4321')], ['leader', null], ['has_quorum', true], ['commit_idx', 2n ** 64n + 7n], ['neg', -(2n ** 40n)], ['small', -1], ['text', 'héllo ✓']]),
    new PyTuple([Buffer.from([0, 1, 2, 0xff, 0x80]), ['status']]),
    new PyTuple([new Uint8Array(0), 65535, 65536, 2 ** 31 - 1, 2 ** 31]),
    many,
  ];
  for (const value of values) {
    const bytes = writePickle(value);
    const py = spawnSync(PYTHON, ['-c', 'import pickle,sys; print(repr(pickle.loads(sys.stdin.buffer.read())), end="")'], { input: bytes, encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout, pyRepr(value));
    assert.equal(pyRepr(readPickle(bytes)), pyRepr(value));
  }
});
