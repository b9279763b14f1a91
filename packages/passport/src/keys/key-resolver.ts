import type { CryptoKey, JSONWebKeySet, JWSHeaderParameters, KeyObject } from 'jose';
import { createLocalJWKSet, errors } from 'jose';
import type { PassportAlgorithm } from '../constants.js';

/** What a key resolver is told about the signature it must find a key for. */
export interface PassportKeyQuery {
  readonly clientId: string;
  readonly kid: string;
  readonly alg: PassportAlgorithm;
}

/**
 * Finds the public key that must have signed a passport, from configuration the verifier trusts
 * (a static JWKS per client, or allowlisted JWKS URLs): never from anything inside the passport.
 */
export interface PassportKeyResolver {
  /**
   * Resolves the key of `query.clientId` with id `query.kid` usable with `query.alg`, or
   * `undefined` when that client has no such key (verification reports `unknown_key`). Throws
   * `PassportKeysUnavailableError` when keys could not be obtained (`keys_unavailable`).
   */
  resolveKey(query: PassportKeyQuery): Promise<CryptoKey | KeyObject | undefined>;
}

/** A jose JWKS key getter, as returned by `createLocalJWKSet` / `createRemoteJWKSet`. */
export type JwksKeyGetter = (header: JWSHeaderParameters) => Promise<CryptoKey | KeyObject>;

/**
 * Picks the key for `query` in a jose JWKS getter: `undefined` when no member matches the kid and
 * the key type of `alg` (jose also honours the members' `alg`, `use` and `key_ops`).
 */
export async function selectKey(
  getter: JwksKeyGetter,
  query: PassportKeyQuery,
): Promise<CryptoKey | KeyObject | undefined> {
  try {
    return await getter({ alg: query.alg, kid: query.kid });
  } catch (error) {
    // Two members with one kid are ambiguous: no key rather than a guess.
    if (
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys
    )
      return undefined;
    throw error;
  }
}

/**
 * Keys configured in advance: each client id maps to its JWKS (public keys, each with a `kid`).
 * Rotation: publish the new key beside the old one, switch the signer to it, then drop the old
 * one; passports signed with a kid no longer listed fail with `unknown_key`.
 *
 * @throws TypeError when a JWKS is malformed, holds a private key, or has a key without `kid`
 *   or two keys with the same `kid`.
 *
 * @example
 * ```ts
 * import { staticKeyResolver } from '@a2a-stores/passport';
 * const keys = staticKeyResolver({ 'a2a://travel-orchestrator.com': { keys: [orchestratorPublicJwk] } });
 * ```
 */
export function staticKeyResolver(
  jwksByClient: Readonly<Record<string, JSONWebKeySet>>,
): PassportKeyResolver {
  const getters = new Map<string, JwksKeyGetter>();
  for (const [clientId, jwks] of Object.entries(jwksByClient)) {
    assertUsableJwks(jwks, `JWKS of ${JSON.stringify(clientId)}`);
    getters.set(clientId, createLocalJWKSet(jwks));
  }
  return {
    async resolveKey(query) {
      const getter = getters.get(query.clientId);
      return getter ? selectKey(getter, query) : undefined;
    },
  };
}

/** Refuses a JWKS whose members could never be selected unambiguously, or that leaks a private key. */
export function assertUsableJwks(jwks: unknown, what: string): asserts jwks is JSONWebKeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as JSONWebKeySet).keys)) {
    throw new TypeError(`${what} must be an object with a "keys" array`);
  }
  const kids = new Set<string>();
  for (const key of (jwks as JSONWebKeySet).keys) {
    if (typeof key !== 'object' || key === null)
      throw new TypeError(`${what} has a member that is not an object`);
    if (typeof key.kid !== 'string' || key.kid.length === 0)
      throw new TypeError(`${what} has a key without "kid"`);
    if (kids.has(key.kid))
      throw new TypeError(`${what} has two keys with kid ${JSON.stringify(key.kid)}`);
    kids.add(key.kid);
    if ('d' in key)
      throw new TypeError(`${what} holds a private key (kid ${JSON.stringify(key.kid)})`);
  }
}
