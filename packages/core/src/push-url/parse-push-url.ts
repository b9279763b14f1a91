import { domainToASCII, domainToUnicode } from 'node:url';
import { type IpAddress, isIPv4Spelling, parseIpAddress } from './address-classification.js';
import { rejectPushUrl } from './rejection.js';

/** The host of a push URL after normalisation. */
export type PushUrlHost =
  /** An IP literal, in any spelling the URL parser accepts (decimal, octal, hex, short, IPv6). */
  | { readonly kind: 'ip'; readonly address: IpAddress }
  /** A DNS name: lower case, ASCII (punycode), without the trailing dot. */
  | { readonly kind: 'name'; readonly name: string };

/** A push URL that parsed and passed the syntactic checks. */
export interface ParsedPushUrl {
  readonly url: URL;
  /** `https:` (true) or `http:` (false). */
  readonly secure: boolean;
  readonly host: PushUrlHost;
  /** The port to connect to (the scheme's default when the URL has none). */
  readonly port: number;
}

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Letters, digits, hyphen and underscore; no hyphen at either end. Names only: addresses are
// parsed by ipaddr.js, never by a pattern.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

/**
 * Normalises a DNS name the WHATWG parser produced (already lower case and punycode) or refuses
 * it: one trailing dot is dropped (`localhost.` is `localhost`); empty labels, characters DNS
 * cannot carry, and punycode that does not decode to the same name are invalid.
 */
export function normaliseHostName(hostname: string): string {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const invalid = () =>
    rejectPushUrl('invalid-host', `${JSON.stringify(hostname)} is not a valid host name`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw invalid();
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH || !LABEL.test(label))
      throw invalid();
  }
  // `xn--localhost-` decodes to plain `localhost`: a label must survive the round trip.
  if (name.includes('xn--') && domainToASCII(domainToUnicode(name)) !== name) throw invalid();
  // Loose IPv4 spellings are addresses to the URL parser; anything still looking like one
  // (e.g. through a trailing dot) is refused rather than sent to a resolver.
  if (isIPv4Spelling(name)) throw invalid();
  return name;
}

function parseHost(hostname: string): PushUrlHost {
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const address = parseIpAddress(hostname.slice(1, -1));
    if (!address) throw rejectPushUrl('invalid-host', `${hostname} is not a valid IPv6 address`);
    return { kind: 'ip', address };
  }
  const address = parseIpAddress(hostname);
  if (address) return { kind: 'ip', address };
  return { kind: 'name', name: normaliseHostName(hostname) };
}

/**
 * Parses a push URL with the WHATWG parser (which also normalises decimal, octal, hex and short
 * IPv4 spellings and maps unicode hosts to punycode) and applies the syntactic rules: http(s)
 * only, no credentials, a valid host. Address and name rules are the policy's.
 */
export function parsePushUrl(text: unknown): ParsedPushUrl {
  if (typeof text !== 'string') throw rejectPushUrl('invalid-url', 'the URL is not a string');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text itself is not echoed: it may carry a secret.
    throw rejectPushUrl('invalid-url', 'not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw rejectPushUrl(
      'scheme-not-allowed',
      `scheme ${JSON.stringify(url.protocol)} is not http(s)`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw rejectPushUrl('credentials-in-url', 'the URL carries user credentials');
  }
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  if (port === 0) throw rejectPushUrl('invalid-url', 'port 0 is not a destination');
  return { url, secure, host: parseHost(url.hostname), port };
}
