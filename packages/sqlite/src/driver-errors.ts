import { StoreClosedError, StoreError, StoreUnavailableError } from '@a2a-stores/core';
import type { SqliteDatabase } from './options.js';

/**
 * By shape rather than `instanceof`: a `database` you pass may come from another copy of
 * better-sqlite3 than the one this package resolves.
 */
function isSqliteError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/**
 * Turns what better-sqlite3 throws into core's typed errors, so callers never see a raw driver
 * error: a closed connection is `StoreClosedError`; a SQLite failure (lock still held after the
 * busy timeout, I/O error, full disk, read-only file) is `StoreUnavailableError` with the
 * driver's error as `cause`. Anything else is a programming error and passes through.
 */
export function toStoreError(error: unknown, db: SqliteDatabase): unknown {
  if (error instanceof StoreError) return error;
  if (!db.open) return new StoreClosedError();
  if (isSqliteError(error)) {
    // SQLite messages name tables and constraints, never bound values (tenant, owner, content).
    return new StoreUnavailableError(`SQLite ${error.code}: ${error.message}`, { cause: error });
  }
  return error;
}
