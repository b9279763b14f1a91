/**
 * The CLI's one redaction: everything it prints goes through {@link redactText} (see
 * `Output`), and a target is shown through {@link redactUrl}. It never relies on a URL parser:
 * a password with `/`, `@`, `?` or `#` unencoded makes `new URL` fail or split the URL in the
 * wrong place (`postgres://u:S3CRET/PW@h/x` parses as host `u`, port `S3CRET`), and that is
 * exactly when the text must still not leak. So credentials are everything between `scheme://`
 * and the last `@` of the URL; hiding a little too much beats showing a password.
 */

/** Schemes recognised without `//` (`sqlite:x.db`, `redis:pw@host`): the CLI's targets. */
const BARE_SCHEMES = /^(?:postgres|postgresql|mysql|mariadb|redis|rediss|sqlite|file)$/i;
/** Query parameters whose values are secrets. */
const SECRET_PARAM = /pass|secret|token|key|auth|credential/i;
/** `scheme:` then an optional `//`, at a word start (right after a colour code counts). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC opens the colour codes of vitest's output.
const SCHEME = /(?:(?<![a-z0-9+.-])|(?<=\x1b\[[0-9;]*m))([a-z][a-z0-9+.-]*):(\/\/)?/gi;
/**
 * Where a URL ends inside free text: whitespace, the quotes that usually surround it, and the
 * escape that starts a terminal colour code (vitest's output is coloured).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC opens a colour code, which ends a URL.
const TEXT_DELIMITER = /[\s"'`<>\x1b]/;

const MASK = '***';

/** A URL's pieces, as far as redaction cares. */
interface UrlParts {
  /** `scheme:` or `scheme://`. */
  readonly prefix: string;
  /** Between the prefix and the last `@`, or undefined when there is no `@`. */
  readonly userinfo: string | undefined;
  /** The rest: host, port, path, query. */
  readonly rest: string;
}

function split(prefix: string, body: string): UrlParts {
  const at = body.lastIndexOf('@');
  if (at < 0) return { prefix, userinfo: undefined, rest: body };
  return { prefix, userinfo: body.slice(0, at), rest: body.slice(at) };
}

function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  // Without a colon the whole userinfo may be a token (`https://ghp_x@host`): hide it all.
  if (colon < 0) return userinfo === '' ? '' : MASK;
  return `${userinfo.slice(0, colon)}:${MASK}`;
}

function maskQuery(rest: string): string {
  return rest.replace(/([?&;][^=&;#\s]*=)([^&;#\s]*)/g, (whole, name: string, value: string) =>
    SECRET_PARAM.test(name) && value !== '' ? `${name}${MASK}` : whole,
  );
}

function render(parts: UrlParts): string {
  const userinfo = parts.userinfo === undefined ? '' : maskUserinfo(parts.userinfo);
  return `${parts.prefix}${userinfo}${maskQuery(parts.rest)}`;
}

/** Finds each URL-ish run in `text` and hands it to `visit` with its offset and length. */
function forEachUrl(
  text: string,
  wholeText: boolean,
  visit: (start: number, end: number, parts: UrlParts) => void,
): void {
  SCHEME.lastIndex = 0;
  for (let match = SCHEME.exec(text); match !== null; match = SCHEME.exec(text)) {
    const [prefix, scheme, slashes] = match;
    if (slashes === undefined && !BARE_SCHEMES.test(scheme!)) continue;
    const bodyStart = match.index + prefix.length;
    let end = text.length;
    if (!wholeText) {
      end = bodyStart;
      while (end < text.length && !TEXT_DELIMITER.test(text[end]!)) end += 1;
    }
    visit(match.index, end, split(prefix, text.slice(bodyStart, end)));
    if (wholeText) return;
    SCHEME.lastIndex = Math.max(end, SCHEME.lastIndex);
  }
  // A whole argument without a scheme (`//u:pw@host/db`, `u:pw@host`) may still hold one.
  if (wholeText && text.includes('@')) {
    const prefix = text.startsWith('//') ? '//' : '';
    visit(0, text.length, split(prefix, text.slice(prefix.length)));
  }
}

/**
 * Replaces the password (or a lone userinfo token) and secret-named query parameters of every
 * URL-ish string in `text` with `***`, whether or not the URL parses: `--url` values,
 * positional arguments echoed in usage errors, driver errors quoting a connection string.
 *
 * @example
 * redactText('unexpected argument "postgres://u:S3CRET/PW@h/x"')
 * // 'unexpected argument "postgres://u:***@h/x"'
 */
export function redactText(text: string): string {
  let out = '';
  let copied = 0;
  forEachUrl(text, false, (start, end, parts) => {
    out += text.slice(copied, start) + render(parts);
    copied = end;
  });
  return out + text.slice(copied);
}

/** A target URL as it may be shown: the whole string is the URL (spaces in a password too). */
export function redactUrl(raw: string): string {
  let shown: string | undefined;
  forEachUrl(raw, true, (start, _end, parts) => {
    shown = raw.slice(0, start) + render(parts);
  });
  return shown ?? redactText(raw);
}

/**
 * The secrets a raw argument (`--url` value, `--url=...`, a positional, `A2A_STORE_URL`)
 * carries, in the spellings they may be printed in: as typed, percent-decoded, JSON-escaped.
 * The whole argument is the URL, so a password with spaces or quotes is found whole.
 */
export function secretsOf(raw: string): string[] {
  const found: string[] = [];
  forEachUrl(raw, true, (_start, _end, parts) => {
    if (parts.userinfo !== undefined) {
      const colon = parts.userinfo.indexOf(':');
      found.push(colon < 0 ? parts.userinfo : parts.userinfo.slice(colon + 1));
    }
    for (const [, name, value] of parts.rest.matchAll(/[?&;]([^=&;#]*)=([^&;#]*)/g)) {
      if (SECRET_PARAM.test(name!) && value) found.push(value);
    }
  });
  const spellings = new Set<string>();
  for (const secret of found) {
    for (const form of [secret, safeDecode(secret)]) {
      spellings.add(form);
      spellings.add(JSON.stringify(form).slice(1, -1));
    }
  }
  // Very short secrets would mask ordinary text; the URL-ish redaction still hides them in URLs.
  // Longest first, so a secret containing another is replaced whole.
  return [...spellings].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/**
 * Redacts `text` for printing: every URL-ish string in it ({@link redactText}), then every
 * occurrence of a secret of `sources` (the raw arguments that may hold credentials), because
 * drivers sometimes quote a password alone or a URL cut where a parser gave up.
 */
export function scrubSecrets(text: string, sources: readonly string[]): string {
  let out = text;
  for (const source of sources) {
    for (const secret of secretsOf(source)) out = out.split(secret).join(MASK);
  }
  return redactText(out);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
