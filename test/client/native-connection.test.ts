// NativeConnection keeps one timer for all requests in flight: each request still fails at its own
// deadline, whatever order the deadlines come in, answered requests never time out, and once nothing
// is in flight no timer keeps the process alive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NativeConnection } from '../../src/client/native-connection.js';
import { deriveNativeKey } from '../../src/wire/native/index.js';
import { startFakeNativeMember, type FakeNativeMember } from '../support/fake-native-member.js';

let member: FakeNativeMember;
let address: string;

// A fake member: answers an admin request whose arg is 'answer' at once, one whose arg is a number
// after that many ms, and never the rest.
before(async () => {
  member = await startFakeNativeMember((m, channel) => {
    if (m.t !== 'admin') return;
    const reply = () => channel.send({ t: 'admin_reply', id: m.id, reply: 'SUCCESS' });
    if (m.arg === 'answer') reply();
    else if (typeof m.arg === 'number') setTimeout(reply, m.arg);
  });
  address = member.address;
});
after(() => member?.close());

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('each request fails at its own deadline, a later short one before an earlier long one', async () => {
  const connection = await NativeConnection.open(address, deriveNativeKey(null), 3000);
  try {
    const settled: string[] = [];
    const track = (name: string, p: Promise<unknown>) =>
      p.then(
        () => settled.push(`${name} ok`),
        (err: Error) => settled.push(`${name} ${err.message}`),
      );
    await Promise.all([
      track('long', connection.request({ t: 'admin', cmd: 'status', arg: 'never' }, 900)),
      track('short', connection.request({ t: 'admin', cmd: 'status', arg: 'never' }, 300)),
      track('answered', connection.request({ t: 'admin', cmd: 'status', arg: 'answer' }, 100)),
      track('slow', connection.request({ t: 'admin', cmd: 'status', arg: 500 }, 2000)),
    ]);
    assert.deepEqual(settled, [
      'answered ok',
      `short ${address} did not reply to 'status' within 0.3 s`,
      'slow ok',
      `long ${address} did not reply to 'status' within 0.9 s`,
    ]);
    assert.equal(connection.closed, false, 'a timeout leaves the connection usable');
    const before = timers();
    await connection.request({ t: 'admin', cmd: 'status', arg: 'answer' }, 60_000);
    assert.equal(timers(), before, 'no timer is left once nothing is in flight');
  } finally {
    connection.close();
  }
});
