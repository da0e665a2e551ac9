// DrainControl's promises: a drain is on disk before it is answered, a failed hand-over leaves the member
// as it was, a refusal by the core changes nothing, and undrain returns to the recorded (or configured) mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ElectionMode } from '../../src/raft/index.js';
import { DrainControl, startingMode } from '../../src/node/drain-control.js';
import type { DrainRecord } from '../../src/node/storage/index.js';
import { EventLog } from '../../src/node/event-log.js';

type TransferReply = { ok: true; leader: string } | { ok: false; reason: string; leader?: string | null };

/** The runtime as DrainControl sees it: a mode, a role, and a transfer whose outcome the test decides. */
function fakeRuntime(role: 'leader' | 'follower', transfer: () => TransferReply, refuseVoter = false) {
  const state = { mode: 'candidate' as ElectionMode, role: role as string, leader: role === 'leader' ? 'a:1' : 'b:2' };
  const runtime = {
    raft: {
      id: 'a:1',
      get mode() {
        return state.mode;
      },
      softState: () => ({ role: state.role, leader: state.leader }),
    },
    setElectionMode(mode: ElectionMode) {
      if (mode === 'voter' && refuseVoter) return { ok: false as const, reason: 'a:1 is the last voter known to be able to lead' };
      state.mode = mode;
      return { ok: true as const };
    },
    async transfer() {
      const reply = transfer();
      if (reply.ok) Object.assign(state, { role: 'follower', leader: reply.leader });
      return reply;
    },
  };
  return { state, runtime };
}

function fakeStorage() {
  const disk = { record: null as DrainRecord | null, failNext: false };
  return {
    disk,
    storage: {
      async saveDrain(record: DrainRecord) {
        if (disk.failNext) throw new Error('ENOSPC: no space left on device');
        disk.record = record;
      },
      async clearDrain() {
        disk.record = null;
      },
    },
  };
}

function control(runtime: unknown, storage: unknown, recovered: DrainRecord | null = null, configuredMode: ElectionMode = 'candidate') {
  return new DrainControl({ runtime: runtime as never, storage: storage as never, configuredMode, recovered, log: new EventLog('a:1', () => undefined) });
}

test('a leader is drained only once the hand-over succeeded; the drain is on disk', async () => {
  const { state, runtime } = fakeRuntime('leader', () => ({ ok: true, leader: 'b:2' }));
  const { disk, storage } = fakeStorage();
  const drain = control(runtime, storage);
  assert.deepEqual(await drain.drain(), { ok: true, leader: 'b:2', handedOver: true });
  assert.equal(state.mode, 'voter');
  assert.deepEqual(disk.record, { before: 'candidate' });
  assert.equal(drain.drained, true);
});

test('a hand-over that fails while the member still leads undoes the drain, on disk too', async () => {
  const { state, runtime } = fakeRuntime('leader', () => ({ ok: false, reason: 'the target did not win within an election timeout' }));
  const { disk, storage } = fakeStorage();
  const drain = control(runtime, storage);
  const outcome = await drain.drain();
  assert.equal(outcome.ok, false);
  assert.match(!outcome.ok ? outcome.reason : '', /leadership could not be handed over: the target did not win.*stays undrained \(mode candidate\)/);
  assert.equal(state.mode, 'candidate');
  assert.equal(disk.record, null);
  assert.equal(drain.drained, false);
});

test('another member winning instead of the picked one is still a drain: this member does not lead', async () => {
  const { state, runtime } = fakeRuntime('leader', () => {
    Object.assign(state, { role: 'follower', leader: 'c:3' });
    return { ok: false, reason: 'c:3 won the election instead of b:2', leader: 'c:3' };
  });
  const drain = control(runtime, fakeStorage().storage);
  assert.deepEqual(await drain.drain(), { ok: true, leader: 'c:3', handedOver: true });
});

test('a follower is drained at once; the core refusing or the disk failing changes nothing', async () => {
  const follower = fakeRuntime('follower', () => assert.fail('a follower hands nothing over'));
  assert.deepEqual(await control(follower.runtime, fakeStorage().storage).drain(), { ok: true, leader: 'b:2', handedOver: false });

  const refused = fakeRuntime('follower', () => assert.fail('not reached'), true);
  const refusedDisk = fakeStorage();
  const outcome = await control(refused.runtime, refusedDisk.storage).drain();
  assert.deepEqual(outcome, { ok: false, reason: 'a:1 is the last voter known to be able to lead' });
  assert.equal(refusedDisk.disk.record, null);

  const full = fakeRuntime('follower', () => assert.fail('not reached'));
  const fullDisk = fakeStorage();
  fullDisk.disk.failNext = true;
  const failed = await control(full.runtime, fullDisk.storage).drain();
  assert.match(!failed.ok ? failed.reason : '', /cannot record the drain in the data dir: ENOSPC/);
  assert.equal(full.state.mode, 'candidate', 'not drained in memory either');
});

test('a recorded drain wins over the configured mode at start; undrain returns to the recorded mode, else the configured one', async () => {
  assert.equal(startingMode('candidate', { before: 'manual' }), 'voter');
  assert.equal(startingMode('manual', null), 'manual');
  const recorded = fakeRuntime('follower', () => assert.fail('not reached'));
  recorded.state.mode = 'voter';
  const drain = control(recorded.runtime, fakeStorage().storage, { before: 'manual' });
  assert.equal(drain.drained, true);
  assert.deepEqual(await drain.undrain(), { ok: true, mode: 'manual' });
  assert.equal(recorded.state.mode, 'manual');
  assert.deepEqual(await drain.undrain(), { ok: true, mode: 'manual' }, 'undrain of an undrained member changes nothing');

  const touched = fakeRuntime('follower', () => assert.fail('not reached'));
  touched.state.mode = 'voter';
  assert.deepEqual(await control(touched.runtime, fakeStorage().storage, { before: null }, 'candidate').undrain(), { ok: true, mode: 'candidate' });
});
