import { InvalidInputError } from '../errors.js';

/** The push config fields that become HTTP request headers when a notification is sent. */
export interface PushAuthFields {
  readonly token?: string | undefined;
  readonly authentication?: { readonly scheme?: string; readonly credentials?: string } | undefined;
}

// RFC 9110 `token` (an auth scheme is one): no space, no separators, no controls.
const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/;
// Visible ASCII, space and tab. CR, LF and NUL would split or truncate the header; other
// controls and non-ASCII are refused too, as HTTP stacks disagree on them.
const HEADER_VALUE_CHARS = /^[\t\x20-\x7e]*$/;

function check(value: unknown, field: string, pattern: RegExp, what: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be a string`);
  // The value is a secret: the message names the field, never the content.
  if (!pattern.test(value)) throw new InvalidInputError(`${field} must be ${what}`);
}

/**
 * Refuses push configs whose `token` or `authentication` could not be sent as a single,
 * intact HTTP header (header injection through CR/LF, truncation through NUL): the token and
 * credentials must be visible ASCII, spaces and tabs; the scheme an HTTP token. Throws
 * `InvalidInputError` naming the field, never echoing the value.
 */
export function assertHeaderSafePushAuth(config: PushAuthFields): void {
  check(
    config.token,
    'pushNotificationConfig.token',
    HEADER_VALUE_CHARS,
    'visible ASCII (no control characters)',
  );
  const authentication = config.authentication;
  if (authentication === undefined || authentication === null) return;
  check(
    authentication.scheme,
    'pushNotificationConfig.authentication.scheme',
    TOKEN_CHARS,
    "an HTTP authentication scheme token (letters, digits, !#$%&'*+.^_`|~-)",
  );
  check(
    authentication.credentials,
    'pushNotificationConfig.authentication.credentials',
    HEADER_VALUE_CHARS,
    'visible ASCII (no control characters)',
  );
}
