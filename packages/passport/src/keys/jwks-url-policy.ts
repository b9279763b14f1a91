/** Where JWKS may be fetched from. Build it with {@link jwksUrlPolicy}. */
export interface JwksUrlPolicy {
  /** Normalized origins (`https://host[:port]`), compared exactly. */
  readonly allowedOrigins: ReadonlySet<string>;
  /** Development only: also allow `http://` on loopback hosts listed in `allowedOrigins`. */
  readonly allowInsecureLoopback: boolean;
}

/** Options of {@link jwksUrlPolicy}. */
export interface JwksUrlPolicyOptions {
  /** Origins whose JWKS URLs are trusted, e.g. `['https://keys.travel-orchestrator.com']`. */
  readonly allowedOrigins: readonly string[];
  /**
   * Development opt-in: allow `http://127.0.0.1`, `http://[::1]` and `http://localhost` origins
   * (still only when listed). Never enable it in production: plain HTTP lets anyone on the path
   * swap the keys.
   */
  readonly allowInsecureLoopback?: boolean;
}

/** Why {@link checkJwksUrl} refused a URL. */
export type JwksUrlRefusal =
  | 'invalid-url'
  | 'credentials-in-url'
  | 'insecure-scheme'
  | 'unsupported-scheme'
  | 'origin-not-allowed';

/** Outcome of {@link checkJwksUrl}. */
export type JwksUrlDecision =
  | { readonly allowed: true; readonly url: URL }
  | { readonly allowed: false; readonly reason: JwksUrlRefusal };

/**
 * Validates and normalizes an allowlist. Each entry must be a bare origin (no path, query,
 * fragment or credentials) over https, or over http on a loopback host with the opt-in.
 *
 * @throws TypeError naming the offending entry.
 *
 * @example
 * ```ts
 * import { checkJwksUrl, jwksUrlPolicy } from '@a2a-stores/passport';
 * const policy = jwksUrlPolicy({ allowedOrigins: ['https://keys.example.com'] });
 * checkJwksUrl('https://keys.example.com/jwks.json', policy); // { allowed: true, url }
 * ```
 */
export function jwksUrlPolicy(options: JwksUrlPolicyOptions): JwksUrlPolicy {
  const allowInsecureLoopback = options.allowInsecureLoopback === true;
  const origins = new Set<string>();
  for (const entry of options.allowedOrigins) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new TypeError(`allowedOrigins entry ${JSON.stringify(entry)} is not a URL`);
    }
    if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
      throw new TypeError(
        `allowedOrigins entry ${JSON.stringify(entry)} must be a bare origin like https://host[:port]`,
      );
    }
    const scheme = schemeVerdict(url, allowInsecureLoopback);
    if (scheme)
      throw new TypeError(`allowedOrigins entry ${JSON.stringify(entry)} refused: ${scheme}`);
    origins.add(url.origin);
  }
  return { allowedOrigins: origins, allowInsecureLoopback };
}

/**
 * Decides whether a JWKS may be fetched from `url`: https (or http on loopback with the
 * development opt-in), no credentials, and an origin in the allowlist. The returned URL has its
 * fragment removed.
 */
export function checkJwksUrl(url: string | URL, policy: JwksUrlPolicy): JwksUrlDecision {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return { allowed: false, reason: 'invalid-url' };
  }
  if (parsed.username || parsed.password) return { allowed: false, reason: 'credentials-in-url' };
  const scheme = schemeVerdict(parsed, policy.allowInsecureLoopback);
  if (scheme) return { allowed: false, reason: scheme };
  if (!policy.allowedOrigins.has(parsed.origin))
    return { allowed: false, reason: 'origin-not-allowed' };
  parsed.hash = '';
  return { allowed: true, url: parsed };
}

function schemeVerdict(url: URL, allowInsecureLoopback: boolean): JwksUrlRefusal | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return allowInsecureLoopback && isLoopbackHost(url.hostname) ? undefined : 'insecure-scheme';
  }
  return 'unsupported-scheme';
}

/** Loopback as WHATWG URL normalizes it (`127.1` and `0x7f.0.0.1` already became `127.0.0.1`). */
function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
