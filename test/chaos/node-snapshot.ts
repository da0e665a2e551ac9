// A private copy of the built node (bin/syncobj-node, dist/src, package.json, a link to node_modules),
// so a long chaos run keeps restarting the same code while others rebuild dist/ in the shared tree.

import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/paths.js';

export function snapshotNode(): { nodeBin: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'syncobj-chaos-bin-'));
  cpSync(join(repoRoot, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  cpSync(join(repoRoot, 'bin', 'syncobj-node'), join(dir, 'bin', 'syncobj-node'));
  cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { nodeBin: join(dir, 'bin', 'syncobj-node'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
