// The clock and timers RaftRuntime runs on: the process's own in a node, virtual ones in the simulator.

export interface RuntimeClock {
  /**
   * Milliseconds since some fixed point; only differences and uniqueness per start matter. It must
   * not jump when the system clock is set: request deadlines are measured on it.
   */
  now(): number;
  /** Runs `run` every `ms` until the returned function is called. */
  every(ms: number, run: () => void): () => void;
  /** Runs `run` once after `ms` unless the returned function is called first. */
  after(ms: number, run: () => void): () => void;
  /** Runs `run` after the current event-loop turn, so a burst of events shares one Ready. */
  soon(run: () => void): void;
}

export const systemClock: RuntimeClock = {
  // The wall clock at start-up plus the monotonic time since: unique across restarts, and never
  // moved by an NTP step or a resumed VM (Date.now() would be).
  now: () => performance.timeOrigin + performance.now(),
  every(ms, run) {
    const timer = setInterval(run, ms);
    return () => clearInterval(timer);
  },
  after(ms, run) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
  soon(run) {
    setImmediate(run);
  },
};
