import { countTelemetry, tracedCall } from '@a2a-stores/core';
import { base64url, errors, flattenedVerify } from 'jose';
import { type CallerContext, parseCallerContext } from './caller-context.js';
import { PASSPORT_ALGORITHMS, type PassportAlgorithm } from './constants.js';
import { PassportKeysUnavailableError, ReplayCacheUnavailableError } from './errors.js';
import type { PassportKeyResolver } from './keys/key-resolver.js';
import { parsePassportJws } from './passport-jws.js';
import { MemoryReplayCache, type ReplayCache } from './replay/replay-cache.js';
import { signedPayloadBytes } from './signed-content.js';
import type {
  FailedPassport,
  PassportFailureReason,
  PassportVerifyResult,
} from './verify-result.js';

/** Default oldest accepted passport, in seconds since it was issued. */
export const DEFAULT_MAX_AGE_SECONDS = 300;
/** Default tolerated clock difference between caller and verifier, in seconds. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

/** How {@link verifyPassport} decides. */
export interface VerifyPassportOptions {
  /** Where the callers' public keys come from: `staticKeyResolver` or `remoteKeyResolver`. */
  readonly keys: PassportKeyResolver;
  /** This agent's identifier(s); a passport whose `aud` is not one of them is `wrong_audience`. */
  readonly audience: string | readonly string[];
  /** Oldest accepted passport, seconds after `iat`. Default {@link DEFAULT_MAX_AGE_SECONDS}. */
  readonly maxAge?: number;
  /** Tolerated clock difference, seconds. Default {@link DEFAULT_CLOCK_SKEW_SECONDS}. */
  readonly clockSkew?: number;
  /**
   * Where used nonces are remembered. Default: one process-wide {@link MemoryReplayCache}; give a
   * `RedisReplayCache` when several workers serve the same agent.
   */
  readonly replayCache?: ReplayCache;
  /** Accepted algorithms. Default both `EdDSA` and `ES256`. */
  readonly algorithms?: readonly PassportAlgorithm[];
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

let sharedReplayCache: MemoryReplayCache | undefined;

/** The process-wide memory cache used when no `replayCache` is given; created on first use. */
function defaultReplayCache(): MemoryReplayCache {
  if (!sharedReplayCache) sharedReplayCache = new MemoryReplayCache();
  return sharedReplayCache;
}

/**
 * Verifies a passport. Never throws: the result says `verified` (with the authentic content),
 * `unsigned` (no signature: the content is only the caller's claim), or `failed` with a reason
 * code. Checks, in order: the CallerContext model; the JWS form and header (`typ`, `alg`, `kid`,
 * claims); the key of `clientId` + `kid` from `keys` (never from the passport); the signature over
 * the canonical content; the audience; `iat`/`exp`/`maxAge` with `clockSkew`; and last the nonce
 * in the replay cache, so only genuine passports are ever recorded.
 *
 * @example
 * ```ts
 * import { staticKeyResolver, verifyPassport } from '@a2a-stores/passport';
 * const result = await verifyPassport(passport, {
 *   keys: staticKeyResolver({ 'a2a://travel-orchestrator.com': { keys: [publicJwk] } }),
 *   audience: 'https://currency.example/a2a',
 * });
 * if (result.status === 'verified') console.log(result.clientId, result.state);
 * ```
 */
export async function verifyPassport(
  passport: unknown,
  options: VerifyPassportOptions,
): Promise<PassportVerifyResult> {
  return verifyWithResolved(passport, resolveVerifyOptions(options));
}

/** {@link VerifyPassportOptions} checked once, with every default applied. */
export interface ResolvedVerifyOptions {
  readonly keys: PassportKeyResolver;
  readonly audiences: readonly string[];
  readonly maxAge: number;
  readonly clockSkew: number;
  readonly replayCache: ReplayCache;
  readonly algorithms: readonly PassportAlgorithm[];
  readonly now: () => number;
}

/** Validates options (TypeError on a bad one) and applies the defaults. */
export function resolveVerifyOptions(options: VerifyPassportOptions): ResolvedVerifyOptions {
  if (!options?.keys || typeof options.keys.resolveKey !== 'function') {
    throw new TypeError(
      'keys must be a PassportKeyResolver (staticKeyResolver or remoteKeyResolver)',
    );
  }
  const audiences =
    typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (
    audiences.length === 0 ||
    audiences.some((aud) => typeof aud !== 'string' || aud.length === 0)
  ) {
    throw new TypeError('audience must be a non-empty string or a non-empty list of them');
  }
  const algorithms = options.algorithms ?? PASSPORT_ALGORITHMS;
  if (algorithms.length === 0 || algorithms.some((alg) => !PASSPORT_ALGORITHMS.includes(alg))) {
    throw new TypeError(
      `algorithms must be a non-empty subset of ${PASSPORT_ALGORITHMS.join(', ')}`,
    );
  }
  return {
    keys: options.keys,
    audiences,
    maxAge: nonNegative(options.maxAge, DEFAULT_MAX_AGE_SECONDS, 'maxAge'),
    clockSkew: nonNegative(options.clockSkew, DEFAULT_CLOCK_SKEW_SECONDS, 'clockSkew'),
    replayCache: options.replayCache ?? defaultReplayCache(),
    algorithms,
    now: options.now ?? Date.now,
  };
}

/** {@link verifyPassport} with options already resolved (the request handler resolves them once). */
export async function verifyWithResolved(
  passport: unknown,
  options: ResolvedVerifyOptions,
): Promise<PassportVerifyResult> {
  // A span for the whole check (key fetches included); the client id and state stay out of it.
  const result = await tracedCall('passport verify', {}, () => verifyOnce(passport, options), {
    kind: 'internal',
  });
  countTelemetry('passportVerifications', 1, {
    'a2a_stores.passport.status': result.status,
    ...(result.status === 'failed' && { 'a2a_stores.passport.failure_reason': result.reason }),
  });
  return result;
}

async function verifyOnce(
  passport: unknown,
  options: ResolvedVerifyOptions,
): Promise<PassportVerifyResult> {
  const parsed = parseCallerContext(passport);
  if (!parsed.ok) return failed('malformed', parsed.reason);
  const caller = parsed.passport;
  if (caller.signature === undefined) {
    return {
      status: 'unsigned',
      clientId: caller.clientId,
      ...(caller.sessionId === undefined ? {} : { sessionId: caller.sessionId }),
      state: caller.state,
      passport: caller,
    };
  }
  try {
    return await verifySigned(caller, caller.signature, options);
  } catch (error) {
    // Only a custom key resolver throwing something unexpected gets here: report, never throw.
    return failed(
      'keys_unavailable',
      `key resolver failed: ${(error as Error).message}`,
      caller.clientId,
    );
  }
}

async function verifySigned(
  caller: CallerContext,
  compact: string,
  options: ResolvedVerifyOptions,
): Promise<PassportVerifyResult> {
  const claimed = caller.clientId;
  const jws = parsePassportJws(compact);
  if (!jws.ok) return failed(jws.reason, jws.detail, claimed);
  const { alg, kid } = jws.jws;
  if (!options.algorithms.includes(alg))
    return failed('unsupported_algorithm', `alg ${alg} is not accepted here`, claimed);

  let key: Awaited<ReturnType<PassportKeyResolver['resolveKey']>>;
  try {
    key = await options.keys.resolveKey({ clientId: claimed, kid, alg });
  } catch (error) {
    if (error instanceof PassportKeysUnavailableError)
      return failed('keys_unavailable', error.message, claimed);
    throw error;
  }
  if (!key) return failed('unknown_key', `no key ${JSON.stringify(kid)} for this client`, claimed);

  const payload = base64url.encode(signedPayloadBytes(caller, jws.jws));
  try {
    await flattenedVerify(
      { protected: jws.jws.protected, payload, signature: jws.jws.signature },
      key,
      {
        algorithms: [alg],
      },
    );
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return failed('bad_signature', 'signature does not match the passport content', claimed);
    }
    // A key of another type than alg, or an unusable key: the client has no key for this alg.
    if (error instanceof TypeError || error instanceof errors.JOSENotSupported) {
      return failed('unknown_key', `key ${JSON.stringify(kid)} cannot verify ${alg}`, claimed);
    }
    return failed(
      'malformed',
      `signature could not be verified: ${(error as Error).message}`,
      claimed,
    );
  }

  if (!options.audiences.includes(jws.jws.aud))
    return failed('wrong_audience', 'passport was issued for another agent', claimed);

  const { clockSkew: skew, maxAge } = options;
  const nowMs = options.now();
  const now = nowMs / 1000;
  const { iat, exp } = jws.jws;
  if (iat > now + skew) return failed('not_yet_valid', 'issued in the future', claimed);
  if (exp <= now - skew) return failed('expired', 'past its expiry', claimed);
  if (now - iat > maxAge + skew)
    return failed('expired', `older than maxAge (${maxAge} s)`, claimed);

  // Remembered until no later check could accept it: expiry or maxAge, whichever is first.
  const rememberUntil = (Math.min(exp, iat + maxAge) + skew) * 1000;
  let firstUse: boolean;
  try {
    firstUse = await options.replayCache.checkAndStore(
      JSON.stringify([claimed, jws.jws.nonce]),
      rememberUntil,
      nowMs,
    );
  } catch (error) {
    const detail =
      error instanceof ReplayCacheUnavailableError ? error.message : 'replay cache failed';
    return failed('replay_cache_unavailable', detail, claimed);
  }
  if (!firstUse) return failed('replayed', 'nonce already used', claimed);

  return {
    status: 'verified',
    clientId: claimed,
    ...(caller.sessionId === undefined ? {} : { sessionId: caller.sessionId }),
    state: caller.state,
    kid,
    alg,
    audience: jws.jws.aud,
    issuedAt: iat,
    expiresAt: exp,
    nonce: jws.jws.nonce,
    passport: caller,
  };
}

function failed(
  reason: PassportFailureReason,
  detail: string,
  claimedClientId?: string,
): FailedPassport {
  return claimedClientId === undefined
    ? { status: 'failed', reason, detail }
    : { status: 'failed', reason, detail, claimedClientId };
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved < 0)
    throw new TypeError(`${name} must be a non-negative number`);
  return resolved;
}
