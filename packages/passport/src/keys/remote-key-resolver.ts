import { createRemoteJWKSet, customFetch, type FetchImplementation } from 'jose';
import { PassportKeysUnavailableError } from '../errors.js';
import {
  checkJwksUrl,
  type JwksUrlPolicy,
  type JwksUrlPolicyOptions,
  jwksUrlPolicy,
} from './jwks-url-policy.js';
import { type PassportKeyResolver, selectKey } from './key-resolver.js';

/** Options of {@link remoteKeyResolver}. */
export interface RemoteKeyResolverOptions extends JwksUrlPolicyOptions {
  /**
   * Where each client publishes its JWKS: a map from client id, or a function (e.g. deriving the
   * URL from a client id you recognise). Whatever it returns must still pass the allowlist; a
   * client without a URL has no keys (`unknown_key`).
   */
  readonly jwksUrls: Readonly<Record<string, string>> | ((clientId: string) => string | undefined);
  /** Per fetch, headers and body included. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Largest JWKS body accepted. Default 64 KiB. */
  readonly maxBytes?: number;
  /** How long a fetched JWKS is used before it is fetched again. Default 10 minutes. */
  readonly cacheMaxAgeMs?: number;
  /** Least time between two refetches triggered by an unknown `kid` (rotation). Default 30 s. */
  readonly cooldownMs?: number;
  /** After a failed fetch, fail fast for this long instead of fetching again. Default 5 s. */
  readonly failureBackoffMs?: number;
  /** Most JWKS URLs cached at once (oldest dropped first). Default 1000. */
  readonly maxCachedUrls?: number;
  /** fetch implementation. Default the global `fetch`. Redirects are never followed. */
  readonly fetch?: typeof fetch;
  /** Clock in epoch milliseconds, for the failure backoff. Default `Date.now`. */
  readonly now?: () => number;
}

interface CachedSet {
  readonly getter: ReturnType<typeof createRemoteJWKSet>;
  failedAt: number | undefined;
}

/**
 * Keys fetched from each client's published JWKS, only from allowlisted origins (https; http on
 * loopback only with the development opt-in), never from a URL found in a passport. Fetches are
 * bounded in time and size, never follow redirects, are cached (jose's `createRemoteJWKSet`), and
 * refetched on an unknown `kid` at most once per cooldown, so a key rotated in is picked up.
 *
 * @throws TypeError at construction for a bad allowlist or a configured URL it refuses.
 *
 * @example
 * ```ts
 * import { remoteKeyResolver } from '@a2a-stores/passport';
 * const keys = remoteKeyResolver({
 *   jwksUrls: { 'a2a://travel-orchestrator.com': 'https://travel-orchestrator.com/.well-known/jwks.json' },
 *   allowedOrigins: ['https://travel-orchestrator.com'],
 * });
 * ```
 */
export function remoteKeyResolver(options: RemoteKeyResolverOptions): PassportKeyResolver {
  const policy = jwksUrlPolicy(options);
  const urlOf =
    typeof options.jwksUrls === 'function' ? options.jwksUrls : mapLookup(options.jwksUrls);
  if (typeof options.jwksUrls !== 'function') {
    for (const [clientId, url] of Object.entries(options.jwksUrls)) {
      const decision = checkJwksUrl(url, policy);
      if (!decision.allowed) {
        throw new TypeError(`JWKS URL of ${JSON.stringify(clientId)} refused: ${decision.reason}`);
      }
    }
  }
  const maxBytes = positive(options.maxBytes, 64 * 1024, 'maxBytes');
  const backoff = nonNegative(options.failureBackoffMs, 5000, 'failureBackoffMs');
  const maxCached = positive(options.maxCachedUrls, 1000, 'maxCachedUrls');
  const jwksOptions = {
    timeoutDuration: nonNegative(options.timeoutMs, 5000, 'timeoutMs'),
    cacheMaxAge: nonNegative(options.cacheMaxAgeMs, 10 * 60_000, 'cacheMaxAgeMs'),
    cooldownDuration: nonNegative(options.cooldownMs, 30_000, 'cooldownMs'),
  };
  const now = options.now ?? Date.now;
  const fetchImpl = boundedFetch(options.fetch ?? fetch, policy, maxBytes);
  const cache = new Map<string, CachedSet>();

  const setFor = (url: URL): CachedSet => {
    const key = url.href;
    let cached = cache.get(key);
    if (!cached) {
      cached = {
        getter: createRemoteJWKSet(url, { ...jwksOptions, [customFetch]: fetchImpl }),
        failedAt: undefined,
      };
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      cache.set(key, cached);
    }
    return cached;
  };

  return {
    async resolveKey(query) {
      const raw = urlOf(query.clientId);
      if (raw === undefined) return undefined;
      const decision = checkJwksUrl(raw, policy);
      // A URL the allowlist refuses is no trusted key source: the client has no usable key.
      if (!decision.allowed) return undefined;
      const cached = setFor(decision.url);
      if (cached.failedAt !== undefined && now() - cached.failedAt < backoff) {
        throw new PassportKeysUnavailableError('JWKS fetch failed recently; backing off');
      }
      try {
        const key = await selectKey(cached.getter, query);
        cached.failedAt = undefined;
        return key;
      } catch (error) {
        cached.failedAt = now();
        throw new PassportKeysUnavailableError(
          `JWKS could not be obtained: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/** Re-checks the allowlist on every request and refuses bodies over `maxBytes`. */
function boundedFetch(
  fetchFn: typeof fetch,
  policy: JwksUrlPolicy,
  maxBytes: number,
): FetchImplementation {
  return async (url, init) => {
    if (!checkJwksUrl(url, policy).allowed)
      throw new PassportKeysUnavailableError('JWKS URL not allowed');
    const response = await fetchFn(url, { ...init, redirect: 'manual' });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      return new Response(null, { status: response.status });
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw new PassportKeysUnavailableError(
        `JWKS response declares ${declared} bytes, over ${maxBytes}`,
      );
    }
    const body = await readBounded(response, maxBytes);
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PassportKeysUnavailableError(`JWKS response is over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function mapLookup(
  map: Readonly<Record<string, string>>,
): (clientId: string) => string | undefined {
  return (clientId) => (Object.hasOwn(map, clientId) ? map[clientId] : undefined);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1)
    throw new TypeError(`${name} must be a positive integer`);
  return resolved;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 0)
    throw new TypeError(`${name} must be a non-negative integer`);
  return resolved;
}
