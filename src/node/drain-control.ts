// Drain and undrain (issue 10), the operator's step before a reboot: a drained member is in `voter`
// election mode (it votes and replicates, never leads), recorded in its data dir so that it holds across
// the restart, and a drained leader hands leadership to the best other member first.

import type { ElectionMode, NodeId } from '../raft/index.js';
import type { EventLog } from './event-log.js';
import type { Outcome, RaftRuntime } from './raft-runtime.js';
import type { DrainRecord, NodeStorage } from './storage/index.js';

/** `handedOver`: this member led and another one (`leader`) leads now; otherwise `leader` is who leads, as far as known. */
export type DrainOutcome = Outcome<{ leader: NodeId | null; handedOver: boolean }>;

export interface DrainControlOptions {
  runtime: RaftRuntime;
  storage: Pick<NodeStorage, 'saveDrain' | 'clearDrain'>;
  /** The mode from --election-mode, for an undrain whose record does not say what the mode was. */
  configuredMode: ElectionMode;
  recovered: DrainRecord | null;
  log: EventLog;
}

/** The mode a member starts in: a recorded drain wins over the configured mode. */
export function startingMode(configured: ElectionMode, drain: DrainRecord | null): ElectionMode {
  return drain ? 'voter' : configured;
}

export class DrainControl {
  #record: DrainRecord | null;
  /** One drain or undrain at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DrainControlOptions) {
    this.#record = options.recovered;
  }

  get drained(): boolean {
    return this.#record !== null;
  }

  drain(): Promise<DrainOutcome> {
    return this.#serialize(() => this.#drain());
  }

  undrain(): Promise<Outcome<{ mode: ElectionMode }>> {
    return this.#serialize(() => this.#undrain());
  }

  async #drain(): Promise<DrainOutcome> {
    const { runtime, storage, log } = this.options;
    if (this.#record === null) {
      const before = runtime.raft.mode;
      const changed = runtime.setElectionMode('voter');
      if (!changed.ok) return changed;
      try {
        await storage.saveDrain({ before });
      } catch (err) {
        runtime.setElectionMode(before);
        return { ok: false, code: 'storageFault', reason: `cannot record the drain in the data dir: ${(err as Error).message}` };
      }
      this.#record = { before };
      log.event('drain', `drained: election mode voter (was ${before}), recorded in the data dir`);
    }
    if (runtime.raft.softState().role !== 'leader') return { ok: true, leader: runtime.raft.softState().leader, handedOver: false };
    const handed = await runtime.transfer('auto');
    if (handed.ok) return { ok: true, leader: handed.leader, handedOver: true };
    const soft = runtime.raft.softState();
    // Another member than the one picked won: this one does not lead, which is what a drain is for.
    if (soft.role !== 'leader') return { ok: true, leader: soft.leader ?? handed.leader ?? null, handedOver: true };
    // Still leading: undo, so that a failed drain leaves the member as it was.
    const undone = await this.#undrain();
    const state = undone.ok ? `it stays undrained (mode ${undone.mode})` : `and undoing the drain failed: ${undone.reason}`;
    return { ok: false, code: handed.code, reason: `leadership could not be handed over: ${handed.reason}; ${state}` };
  }

  async #undrain(): Promise<Outcome<{ mode: ElectionMode }>> {
    const { runtime, storage, log, configuredMode } = this.options;
    if (this.#record === null) return { ok: true, mode: runtime.raft.mode };
    const mode = this.#record.before ?? configuredMode;
    try {
      await storage.clearDrain();
    } catch (err) {
      return { ok: false, code: 'storageFault', reason: `cannot remove the drain from the data dir: ${(err as Error).message}` };
    }
    this.#record = null;
    // Leaving voter mode is never refused: it only adds a member able to lead.
    runtime.setElectionMode(mode);
    log.event('drain', `undrained: election mode ${mode}`);
    return { ok: true, mode };
  }

  #serialize<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
