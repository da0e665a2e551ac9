// Our codecs against byte vectors made with the real PySyncObj 0.3.11 (test/fixtures/pysyncobj-wire.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { wireVectors } from '../../fixtures/paths.js';
import {
  derivePysyncobjKey, FernetCodec, MessageCodec, PyNode, PyTuple, pyRepr, readPickle, writePickle, encodeFrame, type PyValue,
} from '../../../src/wire/pysyncobj/index.js';

const v = wireVectors();
const hex = (h: string) => Buffer.from(h, 'hex');
const byName = (name: string) => v.pickles.find((p) => p.name === name)!;

test('PBKDF2 key matches the library', async () => {
  const key = await derivePysyncobjKey(v.password);
  assert.equal(key.toString('hex'), v.pbkdf2_key_hex);
  assert.equal(key.toString('base64url') + '=', v.fernet_key_b64);
});

test('every vector pickle decodes to its python repr', () => {
  for (const p of v.pickles) {
    const value = readPickle(hex(p.pickle_hex));
    assert.equal(pyRepr(value), p.python_repr, p.name);
  }
});

test('zlib bodies and plain frames decode', () => {
  const codec = new MessageCodec(null);
  for (const p of v.pickles) {
    assert.equal(pyRepr(codec.decodeBody(hex(p.zlib_hex))), p.python_repr, p.name);
    assert.equal(hex(p.plain_frame_hex).readInt32LE(0), hex(p.zlib_hex).length, p.name);
  }
});

test('requests and handshake messages pickle byte-identically to Python', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const serverKey = readPickle(hex(byName('handshake_server_reply').pickle_hex)) as PyTuple;
  const cases: [string, PyValue][] = [
    ['request_status', ['status']],
    ['request_add', ['add', '127.0.0.1:4324']],
    ['request_remove', ['remove', '127.0.0.1:4324']],
    ['request_set_version', ['set_version', 3]],
    ['request_transfer', ['transfer', '127.0.0.1:4322']],
    ['handshake_client_key', key],
    ['handshake_server_reply', new PyTuple([key, serverKey.items[1]!])],
    ['wrapped_request_status', new PyTuple([serverKey.items[1]!, ['status']])],
    ['reply_success_add', 'SUCCESS ADD 127.0.0.1:4324'],
    ['reply_exception_text', 'wrong version, current version is 0, requested version is 1'],
  ];
  for (const [name, value] of cases) {
    const p = byName(name);
    assert.equal(writePickle(value).toString('hex'), p.pickle_hex, name);
    // Node's bundled zlib may pick other (equally valid) deflate blocks than Python's, so compare inflated.
    const frame = encodeFrame(new MessageCodec(null).encodeBody(value));
    assert.equal(inflateSync(frame.subarray(4)).toString('hex'), p.pickle_hex, name);
    assert.equal(frame.readInt32LE(0), frame.length - 4, name);
  }
});

test('status replies survive our own encode/decode with nodes, big ints and None', () => {
  for (const name of ['reply_status_leader', 'reply_status_no_leader', 'wrapped_reply_status']) {
    const value = readPickle(hex(byName(name).pickle_hex));
    assert.equal(pyRepr(readPickle(writePickle(value))), byName(name).python_repr, name);
  }
  const noLeader = readPickle(hex(byName('reply_status_no_leader').pickle_hex)) as Map<string, PyValue>;
  assert.equal(noLeader.get('commit_idx'), 1099511627776);
  assert.ok(noLeader.get('self') instanceof PyNode);
  assert.equal(noLeader.get('leader'), null);
});

test('Fernet tokens: ours equal the library for the same IV and timestamp, and theirs decrypt', () => {
  const fernet = new FernetCodec(hex(v.pbkdf2_key_hex));
  for (const f of v.fernet) {
    const token = fernet.encrypt(hex(f.plaintext_hex), { iv: hex(f.iv_hex), timestamp: f.timestamp });
    assert.equal(token.toString('ascii'), f.token_ascii, f.name);
    assert.equal(fernet.decrypt(Buffer.from(f.token_ascii, 'ascii')).toString('hex'), f.plaintext_hex, f.name);
    assert.equal(encodeFrame(token).toString('hex'), f.frame_hex, f.name);
  }
});
