import { UsageError } from './exit-codes.js';
import { redactUrl } from './redact.js';

/** The adapter a target URL selects and how to reach it. */
export type TargetSpec =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'mysql'; readonly uri: string }
  | { readonly kind: 'redis'; readonly url: string };

/** Adapter kinds, by the package that implements them. */
export const ADAPTER_PACKAGES = {
  sqlite: '@a2a-stores/sqlite',
  postgres: '@a2a-stores/postgres',
  mysql: '@a2a-stores/mysql',
  redis: '@a2a-stores/redis',
} as const satisfies Record<TargetSpec['kind'], string>;

/**
 * Reads a target URL: `sqlite:./file.db`, `sqlite:///abs/file.db`, `sqlite::memory:`,
 * `postgres://` (or `postgresql://`), `mysql://` (or `mariadb://`), `redis://`, `rediss://`.
 * A malformed or unknown URL is a usage error whose message never shows the password.
 */
export function parseTargetUrl(raw: string): TargetSpec {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    let filename = text.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
    if (filename === '')
      throw new UsageError('sqlite: URL needs a file, e.g. sqlite:./data/a2a.db');
    return { kind: 'sqlite', filename };
  }
  if (scheme === undefined) {
    throw new UsageError(
      `target ${JSON.stringify(redactUrl(text))} has no scheme; use sqlite:, postgres://, mysql://, redis:// or rediss://`,
    );
  }
  try {
    new URL(text);
  } catch {
    throw new UsageError(`target ${redactUrl(text)} is not a valid URL`);
  }
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', connectionString: text };
    case 'mysql':
    case 'mariadb': {
      // Without one, every statement fails with "No database selected": say so up front.
      if (new URL(text).pathname.replace(/^\/+/, '') === '') {
        throw new UsageError(
          `target ${redactUrl(text)} names no database; add it to the path, e.g. mysql://user@host:3306/agents`,
        );
      }
      return { kind: 'mysql', uri: scheme === 'mariadb' ? `mysql:${text.slice(8)}` : text };
    }
    case 'redis':
    case 'rediss':
      return { kind: 'redis', url: text };
    default:
      throw new UsageError(
        `unsupported target scheme ${JSON.stringify(`${scheme}:`)}; use sqlite:, postgres://, mysql://, redis:// or rediss://`,
      );
  }
}
