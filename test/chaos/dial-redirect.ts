// Preloaded into a syncobj-node under test (`node --import .../dial-redirect.js bin/syncobj-node ...`):
// rewrites the member's outbound TCP connections to the addresses in SYNCOBJ_CHAOS_DIAL, so that each
// directed link i->j runs through its own LinkProxy while the members keep their real addresses as ids.
//
// Why a preload: a member dials the very address that is its peer's id and listens on its own id, and
// syncobj-node has no flag to listen on one address while being known by another. A --listen (or
// --advertise) flag would make this unnecessary.

import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

export const DIAL_MAP_ENV = 'SYNCOBJ_CHAOS_DIAL';

const map = new Map<string, { host: string; port: number }>();
for (const [from, to] of Object.entries(JSON.parse(process.env[DIAL_MAP_ENV] ?? '{}') as Record<string, string>)) {
  const i = to.lastIndexOf(':');
  map.set(from, { host: to.slice(0, i), port: Number(to.slice(i + 1)) });
}

function rewrite(args: unknown[]): unknown[] {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && 'port' in first) {
    const o = first as net.TcpNetConnectOpts;
    const target = map.get(`${o.host ?? 'localhost'}:${o.port}`);
    return target ? [{ ...o, ...target }, ...args.slice(1)] : args;
  }
  if (typeof first === 'number' || typeof first === 'string') {
    const host = typeof second === 'string' ? second : 'localhost';
    const target = map.get(`${host}:${first}`);
    if (target) return [target.port, target.host, ...args.slice(typeof second === 'string' ? 2 : 1)];
  }
  return args;
}

if (map.size > 0) {
  const connect = net.connect;
  const patched = function (this: unknown, ...args: unknown[]): net.Socket {
    return (connect as (...a: unknown[]) => net.Socket).apply(this, rewrite(args));
  } as typeof net.connect;
  net.connect = patched;
  net.createConnection = patched;
  syncBuiltinESMExports();
}
