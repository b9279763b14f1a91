import { readFileSync } from 'node:fs';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import {
  type AnonymousPolicy,
  defaultScopeResolver,
  type ScopeResolver,
  type StoreLogger,
} from '@a2a-stores/core';
import {
  getPassportVerification,
  passportScopeResolver,
  RedisReplayCache,
  type ReplayCache,
  staticKeyResolver,
} from '@a2a-stores/passport';
import type { StoreTarget } from './stores-from-url.js';

/** The Secure Passport state key this agent reads: an ISO 4217 code such as `EUR`. */
export const PASSPORT_CURRENCY_KEY = 'user_preferred_currency';
/** The state keys the agent card declares (`params.supportedStateKeys`). */
export const PASSPORT_STATE_KEYS: readonly string[] = [PASSPORT_CURRENCY_KEY];

/** Trusted calling agents: client id → its public JWKS (what `A2A_PASSPORT_JWKS` points at). */
export type PassportJwksByClient = Parameters<typeof staticKeyResolver>[0];

// Only a currency code is echoed back: the state is the caller's free-form input.
const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Reads the `A2A_PASSPORT_JWKS` file, `{ "<clientId>": { "keys": [<public JWK with kid>] } }`,
 * and checks it the way the verifier will use it (public keys only, each with a unique `kid`), so
 * a bad file stops the agent at startup instead of failing every passport later.
 */
export function readPassportJwksFile(file: string): PassportJwksByClient {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`A2A_PASSPORT_JWKS: cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('A2A_PASSPORT_JWKS must be a JSON object mapping client ids to JWKS');
  }
  const jwks = parsed as PassportJwksByClient;
  try {
    staticKeyResolver(jwks);
  } catch (error) {
    throw new Error(`A2A_PASSPORT_JWKS: ${(error as Error).message}`);
  }
  return jwks;
}

/**
 * The stores' scope: a verified passport scopes by its client id (`passport:<clientId>`); every
 * other call (no passport, unsigned, malformed) keeps the agent's usual scope: the bearer user,
 * else the tenant's shared anonymous owner (or, with `anonymous: 'reject'`, a refusal). An
 * unsigned passport's claimed client id never decides a scope.
 */
export function agentScopeResolver(
  logger: StoreLogger,
  anonymous: AnonymousPolicy = 'shared',
): ScopeResolver {
  return passportScopeResolver({
    unsigned: 'fallback',
    fallback: defaultScopeResolver({ anonymous, logger }),
  });
}

/**
 * The caller's preferred currency, from a verified passport or, as a low-risk display preference,
 * an unsigned one. Anything but a three-letter upper-case code is ignored.
 */
export function preferredCurrency(context: ServerCallContext | undefined): string | undefined {
  const passport = getPassportVerification(context);
  if (passport?.status !== 'verified' && passport?.status !== 'unsigned') return undefined;
  const currency = passport.state[PASSPORT_CURRENCY_KEY];
  return typeof currency === 'string' && CURRENCY_CODE.test(currency) ? currency : undefined;
}

/** Where the agent remembers used passport nonces, and how to release it. */
export interface AgentReplayCache {
  /** `undefined`: the passport package's process-wide memory cache. */
  readonly replayCache: ReplayCache | undefined;
  close(): Promise<void>;
}

/**
 * On Redis, nonces go to the same Redis, so several agent workers share one replay window and a
 * passport is accepted once across all of them. Elsewhere the in-process memory cache is used
 * (one worker; it forgets on restart, within the passports' short lifetime). ioredis is loaded
 * only for a Redis store.
 */
export async function openReplayCache(target: StoreTarget): Promise<AgentReplayCache> {
  if (target.kind !== 'redis') return { replayCache: undefined, close: async () => {} };
  const { Redis } = await import('ioredis');
  const client = new Redis(target.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return {
    replayCache: new RedisReplayCache({ client }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
