// The replicated code version (PySyncObj's set_version): which versions may be enabled, and how they are encoded.
import { failed, type Failure } from './results.js';
import type { NodeId } from './types.js';

/**
 * Why `requested` cannot be enabled (code unsupportedVersion), or null when it can. A version must not go backwards, and must be
 * supported by every member (voters and learners), or a member would apply entries it cannot run.
 */
export function refuseCodeVersion(
  requested: number,
  enabled: number,
  members: readonly NodeId[],
  supportedBy: (id: NodeId) => number | undefined,
): Failure | null {
  if (!Number.isInteger(requested) || requested < 0) return failed('unsupportedVersion', `version ${requested} is not a non-negative integer`);
  if (requested < enabled) return failed('unsupportedVersion', `version ${requested} is below the enabled version ${enabled}`);
  for (const id of members) {
    const supported = supportedBy(id);
    if (supported === undefined) return failed('unsupportedVersion', `the supported version of ${id} is not known yet`);
    if (requested > supported) return failed('unsupportedVersion', `version ${requested} is above the version ${id} supports (${supported})`);
  }
  return null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCodeVersion(version: number): Uint8Array {
  return encoder.encode(JSON.stringify({ version }));
}

export function decodeCodeVersion(data: Uint8Array): number {
  return (JSON.parse(decoder.decode(data)) as { version: number }).version;
}
