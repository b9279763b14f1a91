/**
 * Replaces the password (and any token-looking query parameter) of a URL with `***`, so a
 * target can be echoed in logs and errors without leaking its credentials.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL we can parse: hide anything between "//" and "@" rather than risk a leak.
    return raw.replace(/\/\/[^/@]*@/, '//***@');
  }
  if (url.password !== '') url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/**
 * Removes every occurrence of the secrets of `rawUrl` from `text`: drivers sometimes put the
 * connection string, or its password, into their error messages.
 */
export function scrubSecrets(text: string, rawUrl: string | undefined): string {
  if (rawUrl === undefined) return text;
  let out = text.split(rawUrl).join(redactUrl(rawUrl));
  for (const secret of secretsOf(rawUrl)) {
    out = out.split(secret).join('***');
  }
  return out;
}

function secretsOf(rawUrl: string): string[] {
  const secrets: string[] = [];
  try {
    const url = new URL(rawUrl);
    if (url.password !== '') {
      secrets.push(url.password);
      const decoded = safeDecode(url.password);
      if (decoded !== url.password) secrets.push(decoded);
    }
    for (const [key, value] of url.searchParams) {
      if (/pass|secret|token|key/i.test(key) && value !== '') secrets.push(value);
    }
  } catch {
    const match = /\/\/[^:/@]*:([^/@]*)@/.exec(rawUrl);
    if (match?.[1]) secrets.push(match[1]);
  }
  // Longest first, so a secret containing another is replaced whole.
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
