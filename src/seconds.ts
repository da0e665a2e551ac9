// How every message states a duration: in seconds, as the user gave -timeout, never as float milliseconds.

/** 2000 -> "2 s", 1975.5165 -> "1.976 s". */
export function formatSeconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)} s`;
}
