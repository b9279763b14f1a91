import { assertSqlIdentifier, type CoreStoreOptions } from '@a2a-stores/core';
import type BetterSqlite3 from 'better-sqlite3';

/** A better-sqlite3 connection. */
export type SqliteDatabase = BetterSqlite3.Database;

/**
 * Where the stores keep their data: a file the factory opens (and later closes), or a
 * better-sqlite3 `Database` you opened yourself (never closed by the stores).
 */
export type SqliteConnection =
  | {
      /** Path of the database file, created with mode 0600 when missing; `':memory:'` works too. */
      readonly filename: string;
      readonly database?: never;
    }
  | {
      /** Your connection; its pragmas are left as you set them and `close()` leaves it open. */
      readonly database: SqliteDatabase;
      readonly filename?: never;
    };

/** Options of {@link createSqliteStores}: the core options plus SQLite specifics. */
export interface SqliteStoreOptions extends CoreStoreOptions {
  /**
   * Prefix of the tables and indexes: lower-case letters, digits and underscores, not starting
   * with a digit, at most 32 characters; `''` for none. Default `'a2a_'`. Lets several stores
   * share one file. Refused with `InvalidInputError` otherwise (core's rule for every SQL adapter).
   */
  tablePrefix?: string;
  /**
   * How long a write waits for another connection's lock before failing with
   * `StoreUnavailableError`, in milliseconds. Default 5000. Only for `filename`: a `database`
   * you pass keeps its own `busy_timeout`.
   */
  busyTimeoutMs?: number;
  /**
   * Sets `PRAGMA secure_delete = ON` on the connection opened from `filename`: content of
   * deleted or overwritten rows is zeroed as its space is freed, instead of lingering in free
   * pages. Costs extra writes on deletes and updates. Default false. Only for `filename`: on a
   * `database` you pass, set the pragma yourself. Content freed before it was on stays until
   * `scrub()`.
   */
  secureDelete?: boolean;
}

/** The connection and SQLite options after validation. */
export interface ResolvedSqliteOptions {
  readonly connection:
    | { readonly kind: 'file'; readonly filename: string }
    | { readonly kind: 'database'; readonly database: SqliteDatabase };
  readonly tablePrefix: string;
  readonly busyTimeoutMs: number;
  readonly secureDelete: boolean;
}

/** Prefix of the tables and indexes when `tablePrefix` is not given. */
export const DEFAULT_TABLE_PREFIX = 'a2a_';
/** Lock wait of a connection opened from `filename` when `busyTimeoutMs` is not given. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const MAX_TABLE_PREFIX_LENGTH = 32;
const MAX_BUSY_TIMEOUT_MS = 2_147_483_647;

/** The prefix, defaulted and checked with core's rule for names spliced into SQL text. */
export function resolveTablePrefix(tablePrefix: string | undefined): string {
  const prefix = tablePrefix ?? DEFAULT_TABLE_PREFIX;
  assertSqlIdentifier(prefix, 'tablePrefix', {
    maxLength: MAX_TABLE_PREFIX_LENGTH,
    allowEmpty: true,
  });
  return prefix;
}

function isBetterSqliteDatabase(value: unknown): value is SqliteDatabase {
  const candidate = value as Partial<SqliteDatabase> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.transaction === 'function' &&
    typeof candidate.open === 'boolean'
  );
}

function resolveConnection(connection: SqliteConnection): ResolvedSqliteOptions['connection'] {
  if (typeof connection !== 'object' || connection === null) {
    throw new TypeError('createSqliteStores: expected { filename } or { database }');
  }
  const hasFilename = connection.filename !== undefined;
  const hasDatabase = connection.database !== undefined;
  if (hasFilename === hasDatabase) {
    throw new TypeError('createSqliteStores: pass exactly one of { filename } or { database }');
  }
  if (hasFilename) {
    const { filename } = connection;
    if (typeof filename !== 'string' || filename.length === 0 || filename.includes('\u0000')) {
      throw new TypeError('createSqliteStores: filename must be a non-empty path or ":memory:"');
    }
    return { kind: 'file', filename };
  }
  const { database } = connection;
  if (!isBetterSqliteDatabase(database)) {
    throw new TypeError('createSqliteStores: database must be a better-sqlite3 Database');
  }
  if (!database.open) throw new TypeError('createSqliteStores: the database you passed is closed');
  return { kind: 'database', database };
}

/**
 * Validates the connection and the SQLite options, before anything is opened, so a bad
 * configuration fails at startup with an error naming the option (`TypeError`, or core's
 * `InvalidInputError` for the prefix).
 */
export function resolveSqliteOptions(
  connection: SqliteConnection,
  options: SqliteStoreOptions = {},
): ResolvedSqliteOptions {
  const resolved = resolveConnection(connection);
  const tablePrefix = resolveTablePrefix(options.tablePrefix);
  if (options.busyTimeoutMs !== undefined && resolved.kind === 'database') {
    throw new TypeError(
      'busyTimeoutMs applies only to { filename }; set busy_timeout on the database you pass',
    );
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (
    !Number.isSafeInteger(busyTimeoutMs) ||
    busyTimeoutMs < 0 ||
    busyTimeoutMs > MAX_BUSY_TIMEOUT_MS
  ) {
    throw new TypeError(
      `busyTimeoutMs must be an integer between 0 and ${MAX_BUSY_TIMEOUT_MS}, got ${String(busyTimeoutMs)}`,
    );
  }
  const secureDelete = options.secureDelete ?? false;
  if (typeof secureDelete !== 'boolean') {
    throw new TypeError(`secureDelete must be a boolean, got ${String(secureDelete)}`);
  }
  if (options.secureDelete !== undefined && resolved.kind === 'database') {
    throw new TypeError(
      'secureDelete applies only to { filename }; set PRAGMA secure_delete on the database you pass',
    );
  }
  return { connection: resolved, tablePrefix, busyTimeoutMs, secureDelete };
}
