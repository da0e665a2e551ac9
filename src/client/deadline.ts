// One overall deadline for a command, shared by its phases, so a slow phase eats only its share.

import { formatSeconds } from '../seconds.js';

export class Deadline {
  readonly #end: number;
  constructor(readonly totalMs: number) {
    this.#end = performance.now() + totalMs;
  }
  remainingMs(): number {
    return Math.max(0, this.#end - performance.now());
  }
  get seconds(): string {
    return formatSeconds(this.totalMs);
  }
}
