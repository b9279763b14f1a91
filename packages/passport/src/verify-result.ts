import type { CallerContext } from './caller-context.js';
import type { PassportAlgorithm } from './constants.js';
import type { JsonObject } from './json-value.js';

/** Why a signed passport failed verification. */
export type PassportFailureReason =
  /** Not a CallerContext, or the signature is not a well-formed passport JWS. */
  | 'malformed'
  /** The JWS `typ` is not `a2a-passport+jws` (e.g. an AgentCard signature). */
  | 'wrong_type'
  /** `alg` is not one the verifier accepts. */
  | 'unsupported_algorithm'
  /** The client has no key with that `kid` (never configured, or rotated out). */
  | 'unknown_key'
  /** The client's keys could not be fetched. */
  | 'keys_unavailable'
  /** The signature does not match the content (tampered, or signed by another key). */
  | 'bad_signature'
  /** Genuine, but signed for another agent. */
  | 'wrong_audience'
  /** Past its expiry, or older than `maxAge`. */
  | 'expired'
  /** Issued in the future (beyond the allowed clock skew). */
  | 'not_yet_valid'
  /** Its nonce was already used. */
  | 'replayed'
  /** The replay cache could not answer; refused rather than risk a replay. */
  | 'replay_cache_unavailable';

/** A passport whose signature, key, audience, times and nonce all check out. */
export interface VerifiedPassport {
  readonly status: 'verified';
  readonly clientId: string;
  readonly sessionId?: string;
  readonly state: JsonObject;
  readonly kid: string;
  readonly alg: PassportAlgorithm;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly nonce: string;
  readonly passport: CallerContext;
}

/** A well-formed passport without signature: its content is only the caller's assertion. */
export interface UnsignedPassport {
  readonly status: 'unsigned';
  readonly clientId: string;
  readonly sessionId?: string;
  readonly state: JsonObject;
  readonly passport: CallerContext;
}

/** A passport that carried a signature, or claimed to, and did not verify. */
export interface FailedPassport {
  readonly status: 'failed';
  readonly reason: PassportFailureReason;
  /** Human-readable detail for logs; never contains state values or key material. */
  readonly detail: string;
  /** The claimed (unverified) client id, when the passport was readable. */
  readonly claimedClientId?: string;
}

/** Outcome of `verifyPassport`. */
export type PassportVerifyResult = VerifiedPassport | UnsignedPassport | FailedPassport;

/**
 * What the server side recorded for one call: {@link PassportVerifyResult}, or no passport at all,
 * or a passport that did not even satisfy the CallerContext model (ignored, like the guide does).
 */
export type PassportVerification =
  | PassportVerifyResult
  | { readonly status: 'absent' }
  | { readonly status: 'malformed'; readonly reason: string };
