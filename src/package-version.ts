// The version both bins print, read from the package's own package.json when asked, never on
// the hot path. Found by walking up from this module: it runs from dist/src/ and, bundled, from dist/bundle/.

import { readFileSync } from 'node:fs';

const PACKAGE_NAME = 'syncobj-admin';

export function packageVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (let up = 0; up < 5; up++, dir = new URL('../', dir)) {
    let text: string;
    try {
      text = readFileSync(new URL('package.json', dir), 'utf8');
    } catch {
      continue;
    }
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
  }
  throw new Error(`cannot find ${PACKAGE_NAME}'s package.json above ${import.meta.url}`);
}

/** `--version`, `-version` and `-v`, as a whole word anywhere on the command line. */
export function asksForVersion(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--version' || a === '-version' || a === '-v');
}
