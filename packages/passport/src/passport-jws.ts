import { PASSPORT_ALGORITHMS, PASSPORT_JWS_TYPE, type PassportAlgorithm } from './constants.js';
import { isPlainObject } from './json-value.js';
import type { PassportClaims } from './signed-content.js';
import type { PassportFailureReason } from './verify-result.js';

/** A passport signature taken apart: the parts of a flattened JWS, minus the detached payload. */
export interface PassportJws extends PassportClaims {
  readonly protected: string;
  readonly signature: string;
  readonly alg: PassportAlgorithm;
  readonly kid: string;
}

/** Outcome of {@link parsePassportJws}. */
export type PassportJwsParse =
  | { readonly ok: true; readonly jws: PassportJws }
  | { readonly ok: false; readonly reason: PassportFailureReason; readonly detail: string };

const B64URL = /^[A-Za-z0-9_-]+$/;
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
// Header parameters that point at key material. jose would ignore them, but a passport carrying
// them is trying to steer key selection: keys come only from the verifier's configuration.
const KEY_SOURCE_PARAMS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const MAX_HEADER_SEGMENT = 2048;
const MAX_SIGNATURE_SEGMENT = 512;

/**
 * Parses the compact detached form `<protected>..<signature>` and checks the protected header:
 * `typ`, `alg`, `kid`, the claims, and nothing that would change how it is verified (`crit`,
 * `b64`, key URLs or embedded keys). Never throws.
 */
export function parsePassportJws(compact: string): PassportJwsParse {
  const parts = compact.split('.');
  if (parts.length !== 3) return fail('malformed', 'signature is not a compact JWS');
  const [encodedHeader = '', payload = '', signature = ''] = parts;
  if (payload !== '') return fail('malformed', 'signature must have a detached (empty) payload');
  if (!B64URL.test(encodedHeader) || encodedHeader.length > MAX_HEADER_SEGMENT) {
    return fail('malformed', 'protected header is not base64url');
  }
  if (!B64URL.test(signature) || signature.length > MAX_SIGNATURE_SEGMENT) {
    return fail('malformed', 'signature segment is not base64url');
  }
  let header: unknown;
  try {
    const bytes = Buffer.from(encodedHeader, 'base64url');
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('malformed', 'protected header is not JSON');
  }
  if (!isPlainObject(header)) return fail('malformed', 'protected header is not a JSON object');
  if (header['typ'] !== PASSPORT_JWS_TYPE) {
    return fail(
      'wrong_type',
      `typ is ${JSON.stringify(String(header['typ']).slice(0, 64))}, not ${PASSPORT_JWS_TYPE}`,
    );
  }
  const alg = header['alg'];
  if (typeof alg !== 'string' || !PASSPORT_ALGORITHMS.includes(alg as PassportAlgorithm)) {
    return fail(
      'unsupported_algorithm',
      `alg ${JSON.stringify(String(alg).slice(0, 32))} is not accepted`,
    );
  }
  for (const param of ['crit', 'b64', ...KEY_SOURCE_PARAMS]) {
    if (Object.hasOwn(header, param))
      return fail('malformed', `protected header must not carry "${param}"`);
  }
  const { kid, aud, iat, exp, nonce } = header;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
    return fail('malformed', 'kid is missing');
  if (typeof aud !== 'string' || aud.length === 0 || aud.length > 512)
    return fail('malformed', 'aud is missing');
  if (!isEpochSeconds(iat) || !isEpochSeconds(exp))
    return fail('malformed', 'iat and exp must be integer seconds');
  if (exp <= iat) return fail('malformed', 'exp is not after iat');
  if (typeof nonce !== 'string' || !NONCE.test(nonce))
    return fail('malformed', 'nonce is missing or not base64url');
  return {
    ok: true,
    jws: {
      protected: encodedHeader,
      signature,
      alg: alg as PassportAlgorithm,
      kid,
      aud,
      iat,
      exp,
      nonce,
    },
  };
}

function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function fail(reason: PassportFailureReason, detail: string): PassportJwsParse {
  return { ok: false, reason, detail };
}
