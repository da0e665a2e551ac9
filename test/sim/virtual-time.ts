// Virtual time for the runtime simulator: one queue of timed events, each followed by every promise it set off.
import type { RuntimeClock } from '../../src/node/runtime-clock.js';

interface TimedEvent {
  at: number;
  seq: number;
  owner: object | null;
  run: () => void;
  cancelled: boolean;
}

/** Lets every microtask the last event queued run (storage promises resolve there), before the next event. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualScheduler {
  now = 0;
  #queue: TimedEvent[] = [];
  #seq = 0;
  #dead = new WeakSet<object>();

  /** Runs `run` at virtual time `at`; events at one time run in the order they were scheduled. */
  at(at: number, run: () => void, owner: object | null = null): () => void {
    if (owner !== null && this.#dead.has(owner)) return () => undefined;
    const event: TimedEvent = { at: Math.max(at, this.now), seq: this.#seq++, owner, run, cancelled: false };
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.#queue[mid]!;
      if (q.at < event.at || (q.at === event.at && q.seq < event.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#queue.splice(lo, 0, event);
    return () => {
      event.cancelled = true;
    };
  }

  /** A promise that resolves after `ms` of virtual time, or never once `owner` is cancelled. */
  sleep(ms: number, owner: object): Promise<void> {
    return new Promise((resolve) => this.at(this.now + ms, resolve, owner));
  }

  /** Drops every event of `owner`, now and later: a crashed process runs nothing more. */
  cancelOwner(owner: object): void {
    this.#dead.add(owner);
    for (const e of this.#queue) if (e.owner === owner) e.cancelled = true;
  }

  isCancelled(owner: object): boolean {
    return this.#dead.has(owner);
  }

  /** Runs every event due up to `time`, settling promises after each and calling `after` then. */
  async runUntil(time: number, after: () => void): Promise<void> {
    for (let events = 0; ; events++) {
      if (events > 200_000) throw new Error(`more than 200000 events before t=${time} ms: something reschedules itself forever`);
      const next = this.#queue[0];
      if (next === undefined || next.at > time) break;
      this.#queue.shift();
      if (next.cancelled) continue;
      this.now = next.at;
      next.run();
      await settle();
      after();
    }
    this.now = time;
  }

  /** The RuntimeClock of one process incarnation: its timers die with `owner`. */
  clock(owner: object): RuntimeClock {
    return {
      now: () => this.now,
      every: (ms, run) => {
        let cancel = (): void => undefined;
        const arm = (): void => {
          cancel = this.at(this.now + ms, () => {
            arm();
            run();
          }, owner);
        };
        arm();
        return () => cancel();
      },
      after: (ms, run) => this.at(this.now + ms, run, owner),
      soon: (run) => {
        this.at(this.now, run, owner);
      },
    };
  }
}
