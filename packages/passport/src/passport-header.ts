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
 * Decodes a passport header value as found in request headers (a string; an array means the
 * header was repeated). Never throws.
 */
export function decodePassportHeader(raw: unknown): ReadPassportResult {
  if (raw === undefined) return { status: 'absent' };
  if (typeof raw !== 'string')
    return { status: 'malformed', reason: 'passport header is repeated' };
  const value = raw.trim();
  if (!B64URL.test(value))
    return { status: 'malformed', reason: 'passport header is not base64url' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64url')),
    );
  } catch {
    return { status: 'malformed', reason: 'passport header is not base64url JSON' };
  }
  // Over the length limit is still decoded (the HTTP server already bounds header sizes), to tell
  // a signed passport, which must be refused, from one that may be ignored.
  if (value.length > MAX_HEADER_CHARS) {
    return carriesSignature(decoded)
      ? { status: 'malformed', reason: 'passport header is too long', signed: true }
      : { status: 'malformed', reason: 'passport header is too long' };
  }
  return fromParse(decoded);
}
