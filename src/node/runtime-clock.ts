// The clock and timers RaftRuntime runs on: the process's own in a node, virtual ones in the simulator.

export interface RuntimeClock {
  /** Milliseconds since some fixed point; only differences and uniqueness per start matter. */
  now(): number;
  /** Runs `run` every `ms` until the returned function is called. */
  every(ms: number, run: () => void): () => void;
  /** Runs `run` once after `ms` unless the returned function is called first. */
  after(ms: number, run: () => void): () => void;
  /** Runs `run` after the current event-loop turn, so a burst of events shares one Ready. */
  soon(run: () => void): void;
}

export const systemClock: RuntimeClock = {
  now: () => Date.now(),
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
