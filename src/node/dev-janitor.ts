// The watcher `syncobj-node dev` leaves behind it: run as a detached process whose stdin is a pipe
// from dev, it wakes when that pipe closes (dev exited, by SIGKILL too), waits for the members to
// stop (each stops when its IPC channel to dev closes) and removes the cluster's temporary data dir.
// Usage: node dev-janitor.js DIR PID...

import { rm } from 'node:fs/promises';

/** Members hand leadership over for up to about 2 s when they stop; allow for a slow machine. */
const WAIT_FOR_MEMBERS_MS = 15_000;

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cleanUp(dir: string, pids: number[]): Promise<void> {
  const end = Date.now() + WAIT_FOR_MEMBERS_MS;
  while (pids.some(running) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  await rm(dir, { recursive: true, force: true });
}

const [dir, ...pidTexts] = process.argv.slice(2);
if (dir === undefined || !/syncobj-dev-/.test(dir)) {
  process.stderr.write('dev-janitor: expects the dev cluster\'s temporary dir and the members\' pids\n');
  process.exitCode = 2;
} else {
  const pids = pidTexts.map(Number).filter((p) => Number.isSafeInteger(p) && p > 0);
  process.stdin.on('error', () => undefined);
  process.stdin.once('close', () => void cleanUp(dir, pids));
  process.stdin.resume();
}
