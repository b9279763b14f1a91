import { PASSPORT_LIMITS } from './constants.js';
import { InvalidPassportError } from './errors.js';
import { canonicalJson } from './jcs.js';
import {
  copyJsonObject,
  deepFreeze,
  isPlainObject,
  type JsonObject,
  JsonShapeError,
} from './json-value.js';

/**
 * The Secure Passport payload (the guide's `CallerContext`): who is calling and the context it
 * chooses to share. Field names are the wire names; unknown fields are refused (the guide's
 * `extra='forbid'`).
 */
export interface CallerContext {
  /** The calling agent's identifier, e.g. `a2a://travel-orchestrator.com`. Required. */
  readonly clientId: string;
  /** A session or conversation id, for continuity across requests. */
  readonly sessionId?: string;
  /** Free-form JSON object: preferences, loyalty tier, intent... Required (may be `{}`). */
  readonly state: JsonObject;
  /**
   * Compact detached JWS (`<protected>..<signature>`) made by `signPassport`. Absent on unsigned
   * passports, whose content is only the caller's assertion.
   */
  readonly signature?: string;
}

/** The signed part of a passport: a {@link CallerContext} without its signature. */
export type PassportContent = Omit<CallerContext, 'signature'>;

/** Outcome of {@link parseCallerContext}. */
export type CallerContextParse =
  | { readonly ok: true; readonly passport: CallerContext }
  | { readonly ok: false; readonly reason: string };

const FIELDS = new Set(['clientId', 'sessionId', 'state', 'signature']);

/**
 * Validates untrusted input against the CallerContext model and returns a frozen, normalized
 * copy (`null` optional fields dropped, like the guide's `exclude_none`). Never throws.
 *
 * @example
 * ```ts
 * import { parseCallerContext } from '@a2a-stores/passport';
 * const parsed = parseCallerContext(JSON.parse('{"clientId":"a2a://x","state":{}}'));
 * if (parsed.ok) console.log(parsed.passport.clientId);
 * ```
 */
export function parseCallerContext(input: unknown): CallerContextParse {
  try {
    return { ok: true, passport: deepFreeze(normalize(input)) };
  } catch (error) {
    if (error instanceof InvalidPassportError) return { ok: false, reason: error.detail };
    // A hostile getter or proxy: still an answer, never a crash.
    return { ok: false, reason: 'passport could not be read' };
  }
}

/**
 * True when untrusted input claims a signature: an object with a `signature` field that is not
 * `null` (the model drops `null` optional fields). Used on input the model refused: a passport
 * that claims a signature but breaks a limit is a failed signed passport, not an absent one, or a
 * server would serve the signing agent's message in another (e.g. the anonymous) scope. Input
 * that cannot even be read counts as signed: refusing it is the safe answer.
 */
export function carriesSignature(input: unknown): boolean {
  try {
    if (!isPlainObject(input) || !Object.hasOwn(input, 'signature')) return false;
    const signature = input['signature'];
    return signature !== undefined && signature !== null;
  } catch {
    return true;
  }
}

/**
 * Like {@link parseCallerContext} but throws {@link InvalidPassportError}; for passports built by
 * the caller's own code, where a bad one is a bug. Returns an unfrozen plain copy.
 */
export function validateCallerContext(input: unknown): CallerContext {
  return normalize(input);
}

function normalize(input: unknown): CallerContext {
  if (!isPlainObject(input)) throw new InvalidPassportError('a passport must be a JSON object');
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key))
      throw new InvalidPassportError(`unknown field ${JSON.stringify(key.slice(0, 64))}`);
  }
  const clientId = identifier(
    input['clientId'],
    'clientId',
    PASSPORT_LIMITS.maxClientIdLength,
    true,
  );
  const sessionId = identifier(
    input['sessionId'],
    'sessionId',
    PASSPORT_LIMITS.maxSessionIdLength,
    false,
  );
  const signature = input['signature'] ?? undefined;
  if (signature !== undefined) {
    if (typeof signature !== 'string' || signature.length === 0) {
      throw new InvalidPassportError('signature must be a non-empty string');
    }
    if (signature.length > PASSPORT_LIMITS.maxSignatureLength) {
      throw new InvalidPassportError(
        `signature is longer than ${PASSPORT_LIMITS.maxSignatureLength} characters`,
      );
    }
  }
  if (input['state'] === undefined) throw new InvalidPassportError('state is required');
  let state: JsonObject;
  try {
    state = copyJsonObject(input['state'], {
      maxDepth: PASSPORT_LIMITS.maxStateDepth,
      maxValues: PASSPORT_LIMITS.maxStateValues,
    });
  } catch (error) {
    if (error instanceof JsonShapeError) throw new InvalidPassportError(error.message);
    throw error;
  }
  const bytes = Buffer.byteLength(canonicalJson(state), 'utf8');
  if (bytes > PASSPORT_LIMITS.maxStateBytes) {
    throw new InvalidPassportError(
      `state is ${bytes} bytes, over the limit of ${PASSPORT_LIMITS.maxStateBytes}`,
    );
  }
  return {
    clientId: clientId as string,
    ...(sessionId === undefined ? {} : { sessionId }),
    state,
    ...(signature === undefined ? {} : { signature }),
  };
}

function identifier(
  value: unknown,
  field: string,
  maxLength: number,
  required: boolean,
): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new InvalidPassportError(`${field} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidPassportError(`${field} must be a non-empty string`);
  }
  if (value.length > maxLength)
    throw new InvalidPassportError(`${field} is longer than ${maxLength} characters`);
  if (hasControlCharacter(value))
    throw new InvalidPassportError(`${field} contains control characters`);
  if (!value.isWellFormed()) throw new InvalidPassportError(`${field} contains a lone surrogate`);
  return value;
}

/** C0 and C1 controls and DEL: never part of an identifier, and they break logs and headers. */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
