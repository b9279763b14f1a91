import type { StoreTelemetryAttributes } from './store-telemetry.js';

export type ServerAttributes = Pick<StoreTelemetryAttributes, 'serverAddress' | 'serverPort'>;

/**
 * `server.address` and `server.port` of a connection URL: the host and port only. The user,
 * password, path and query (which can carry credentials) are never read.
 *
 * @example
 * ```ts
 * import { serverOfUrl } from '@a2a-stores/core';
 * serverOfUrl('postgres://app:secret@db.internal/app', 5432); // { serverAddress: 'db.internal', serverPort: 5432 }
 * ```
 */
export function serverOfUrl(url: string | undefined, defaultPort?: number): ServerAttributes {
  if (!url) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  return serverOf(parsed.hostname.replace(/^\[(.*)\]$/, '$1'), parsed.port, defaultPort);
}

/** Attributes from a driver's host and port options; empty or invalid values are left out. */
export function serverOf(host: unknown, port: unknown, defaultPort?: number): ServerAttributes {
  const result: { serverAddress?: string; serverPort?: number } = {};
  if (typeof host === 'string' && host !== '') result.serverAddress = host;
  const number = typeof port === 'string' && port !== '' ? Number(port) : port;
  if (typeof number === 'number' && Number.isInteger(number) && number > 0) {
    result.serverPort = number;
  } else if (defaultPort !== undefined && result.serverAddress !== undefined) {
    result.serverPort = defaultPort;
  }
  return result;
}
