import type { PassportContent } from './caller-context.js';
import { canonicalJson } from './jcs.js';
import type { JsonObject } from './json-value.js';

/** The claims a passport signature binds besides the CallerContext fields. */
export interface PassportClaims {
  /** The called agent's identifier. */
  readonly aud: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Single-use value for replay detection. */
  readonly nonce: string;
}

/**
 * The JWS payload bytes of a passport: the UTF-8 of the RFC 8785 canonical JSON of the
 * CallerContext fields (`clientId`, `sessionId` when present, `state`), `iss` (always the client
 * id) and the claims. It is never transmitted (detached, RFC 7515 appendix F): the verifier
 * rebuilds it from the passport and the protected header, so both sides must build it here.
 * The payload always has a top-level `clientId`, which a canonical AgentCard never has, so a
 * passport payload can never equal an AgentCard signature payload.
 */
export function signedPayloadBytes(content: PassportContent, claims: PassportClaims): Uint8Array {
  const payload: JsonObject = {
    aud: claims.aud,
    clientId: content.clientId,
    exp: claims.exp,
    iat: claims.iat,
    iss: content.clientId,
    nonce: claims.nonce,
    state: content.state,
  };
  if (content.sessionId !== undefined) payload['sessionId'] = content.sessionId;
  return new TextEncoder().encode(canonicalJson(payload));
}
