import {
  base64url,
  type CryptoKey,
  FlattenedSign,
  importJWK,
  type JWK,
  type KeyObject,
} from 'jose';
import {
  type CallerContext,
  type PassportContent,
  validateCallerContext,
} from './caller-context.js';
import { PASSPORT_ALGORITHMS, PASSPORT_JWS_TYPE, type PassportAlgorithm } from './constants.js';
import { signedPayloadBytes } from './signed-content.js';

/** Default lifetime of a signed passport: short, since each one is meant for one call. */
export const DEFAULT_PASSPORT_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 24 * 60 * 60;

/** How {@link signPassport} signs. */
export interface SignPassportOptions {
  /** The calling agent's private key (Ed25519 for `EdDSA`, P-256 for `ES256`). */
  readonly privateKey: CryptoKey | KeyObject | JWK;
  /** Key id the verifier looks up in the caller's JWKS. */
  readonly kid: string;
  readonly alg: PassportAlgorithm;
  /** The called agent's identifier; the verifier refuses a passport meant for someone else. */
  readonly audience: string;
  /** Lifetime in seconds (integer, 1..86400). Default {@link DEFAULT_PASSPORT_TTL_SECONDS}. */
  readonly ttlSeconds?: number;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Signs a passport: returns a copy of `content` with `signature` set to a compact detached JWS
 * (`<protected>..<signature>`, RFC 7515 appendix F, standard base64url payload encoding, no `b64`
 * header). The protected header holds `alg`, `kid`, `typ: 'a2a-passport+jws'` and the claims
 * `aud`, `iat`, `exp` and a fresh random `nonce`; the signed payload is the RFC 8785 canonical
 * JSON of `clientId`, `sessionId`, `state`, `iss` (= `clientId`) and those claims. Any signature
 * already on `content` is replaced.
 *
 * @throws InvalidPassportError when `content` does not satisfy the CallerContext model.
 *
 * @example
 * ```ts
 * import { signPassport } from '@a2a-stores/passport';
 * const passport = await signPassport(
 *   { clientId: 'a2a://travel-orchestrator.com', state: { user_preferred_currency: 'GBP' } },
 *   { privateKey, kid: 'orchestrator-2025', alg: 'EdDSA', audience: 'https://currency.example/a2a' },
 * );
 * ```
 */
export async function signPassport(
  content: PassportContent,
  options: SignPassportOptions,
): Promise<CallerContext> {
  const { signature: _dropped, ...fields } = validateCallerContext(content);
  if (!PASSPORT_ALGORITHMS.includes(options.alg))
    throw new TypeError(`alg must be one of ${PASSPORT_ALGORITHMS.join(', ')}`);
  if (typeof options.kid !== 'string' || options.kid.length === 0 || options.kid.length > 256) {
    throw new TypeError('kid must be a non-empty string of at most 256 characters');
  }
  if (
    typeof options.audience !== 'string' ||
    options.audience.length === 0 ||
    options.audience.length > 512
  ) {
    throw new TypeError('audience must be a non-empty string of at most 512 characters');
  }
  const ttl = options.ttlSeconds ?? DEFAULT_PASSPORT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new TypeError(`ttlSeconds must be an integer between 1 and ${MAX_TTL_SECONDS}`);
  }
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  const claims = { aud: options.audience, iat, exp: iat + ttl, nonce: newNonce() };
  const key = isJwk(options.privateKey)
    ? await importJWK(options.privateKey, options.alg)
    : options.privateKey;
  const signed = await new FlattenedSign(signedPayloadBytes(fields, claims))
    .setProtectedHeader({ alg: options.alg, kid: options.kid, typ: PASSPORT_JWS_TYPE, ...claims })
    .sign(key);
  return { ...fields, signature: `${signed.protected}..${signed.signature}` };
}

/** 128 random bits, base64url: unguessable and unique per passport. */
function newNonce(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
}

function isJwk(key: SignPassportOptions['privateKey']): key is JWK {
  return (
    typeof key === 'object' && key !== null && 'kty' in key && typeof (key as JWK).kty === 'string'
  );
}
