import { carriesSignature } from './caller-context.js';
import { fromParse, type ReadPassportResult } from './message.js';

// base64url of the largest passport the model accepts, with room for JSON overhead.
const MAX_HEADER_CHARS = 96 * 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Encodes a passport for the `a2a-passport` header (calls without a message): base64url of its
 * JSON, so any bytes in `state` survive HTTP header rules.
 */
export function encodePassportHeader(passport: object): string {
  return Buffer.from(JSON.stringify(passport), 'utf8').toString('base64url');
}

/**
 * Decodes a passport header value as found in request headers (a string; an array, or values
 * joined by commas, means the header was repeated). Never throws. A value that is refused but
 * holds a passport claiming a signature is marked `signed: true` (see `readPassport`).
 */
export function decodePassportHeader(raw: unknown): ReadPassportResult {
  if (raw === undefined) return { status: 'absent' };
  if (typeof raw !== 'string') return repeated(Array.isArray(raw) ? raw : []);
  const value = raw.trim();
  // Node joins a repeated custom header with ", "; base64url never contains a comma.
  if (value.includes(',')) return repeated(value.split(','));
  if (!B64URL.test(value))
    return { status: 'malformed', reason: 'passport header is not base64url' };
  const decoded = decodeValue(value);
  if (decoded === undefined)
    return { status: 'malformed', reason: 'passport header is not base64url JSON' };
  // Over the length limit is still decoded (the HTTP server already bounds header sizes), to tell
  // a signed passport, which must be refused, from one that may be ignored.
  if (value.length > MAX_HEADER_CHARS) {
    return carriesSignature(decoded)
      ? { status: 'malformed', reason: 'passport header is too long', signed: true }
      : { status: 'malformed', reason: 'passport header is too long' };
  }
  return fromParse(decoded);
}

/** A repeated header is never served, and is refused when any of its values claims a signature. */
function repeated(values: readonly unknown[]): ReadPassportResult {
  const signed = values.some(
    (one) =>
      typeof one === 'string' &&
      B64URL.test(one.trim()) &&
      carriesSignature(decodeValue(one.trim())),
  );
  return signed
    ? { status: 'malformed', reason: 'passport header is repeated', signed: true }
    : { status: 'malformed', reason: 'passport header is repeated' };
}

/** The JSON a base64url header value holds, or undefined when it holds none. */
function decodeValue(value: string): unknown {
  try {
    return JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64url')),
    );
  } catch {
    return undefined;
  }
}
