import type { PushHostResolver } from '../../src/index.js';

/** A public IPv4 address the fake zone hands out for legitimate hosts. */
export const PUBLIC_V4 = '93.184.215.14';
/** A public IPv6 address the fake zone hands out for legitimate hosts. */
export const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

/**
 * A resolver over a fixed zone, recording every name it is asked for. Unknown names fail with
 * ENOTFOUND, like the system resolver; a zone entry that is a function is called each time
 * (to rebind between calls).
 */
export function fakeDns(
  zone: Record<string, readonly string[] | (() => readonly string[])>,
): PushHostResolver & {
  readonly queries: string[];
} {
  const queries: string[] = [];
  const resolver = async (hostname: string) => {
    queries.push(hostname);
    const entry = zone[hostname];
    if (entry === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return typeof entry === 'function' ? entry() : entry;
  };
  return Object.assign(resolver, { queries });
}
