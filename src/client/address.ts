// HOST:PORT parsing, the one place that decides what a node address is.

export interface NodeAddress {
  host: string;
  port: number;
  /** As the user wrote it; PySyncObj names members by this text. */
  text: string;
}

/**
 * Accepts `host:port` and `[v6]:port`, as PySyncObj's own check does (split at the last colon,
 * port 1..65535). Returns null for anything else, so callers can word the error for their context.
 */
export function parseAddress(text: string): NodeAddress | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host || /[\s/]/.test(host)) return null;
  return { host, port, text };
}
