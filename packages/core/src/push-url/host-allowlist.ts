import { parseIpAddress } from './address-classification.js';
import { normaliseHostName, type PushUrlHost } from './parse-push-url.js';

/** A compiled allowlist: tells whether a normalised host matches one of its patterns. */
export type HostAllowlist = (host: PushUrlHost) => boolean;

interface CompiledPattern {
  readonly exact?: string;
  readonly suffix?: string;
}

function normalisePatternHost(text: string, pattern: string): string {
  const literal = parseIpAddress(
    text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text,
  );
  if (literal) return literal.toNormalizedString();
  if (text.includes(':'))
    throw new TypeError(`allowlist: ${JSON.stringify(pattern)} must not carry a port`);
  let hostname: string;
  try {
    hostname = new URL(`https://${text}/`).hostname;
  } catch {
    throw new TypeError(`allowlist: ${JSON.stringify(pattern)} is not a host name pattern`);
  }
  const address = parseIpAddress(hostname.startsWith('[') ? hostname.slice(1, -1) : hostname);
  if (address) return address.toNormalizedString();
  try {
    return normaliseHostName(hostname);
  } catch {
    throw new TypeError(`allowlist: ${JSON.stringify(pattern)} is not a valid host name`);
  }
}

function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new TypeError('allowlist: patterns must be non-empty strings');
  }
  if (pattern.startsWith('*.')) return { suffix: normalisePatternHost(pattern.slice(2), pattern) };
  if (pattern.includes('*') || pattern.includes('/') || pattern.includes('@')) {
    throw new TypeError(`allowlist: ${JSON.stringify(pattern)} is not 'host' or '*.domain'`);
  }
  return { exact: normalisePatternHost(pattern, pattern) };
}

/**
 * Compiles host patterns: `'hooks.example.com'` matches that host (any spelling the URL parser
 * maps to it: case, unicode, trailing dot), `'*.example.com'` matches every name under
 * `example.com` but not `example.com` itself, and an IP literal matches that address. Invalid
 * patterns throw when the policy is created, not on the first request.
 */
export function compileHostAllowlist(patterns: readonly string[]): HostAllowlist {
  const compiled = patterns.map(compilePattern);
  return (host) => {
    const key = host.kind === 'ip' ? host.address.toNormalizedString() : host.name;
    return compiled.some((pattern) =>
      pattern.exact !== undefined
        ? pattern.exact === key
        : host.kind === 'name' && key.endsWith(`.${pattern.suffix}`),
    );
  };
}
