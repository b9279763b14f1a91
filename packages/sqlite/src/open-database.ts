import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreUnavailableError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './options.js';

/** Owner read/write only: task histories and webhook tokens are nobody else's business. */
export const DATABASE_FILE_MODE = 0o600;

/** Owner only, like the file: a directory the store creates holds nothing but its database. */
export const DATABASE_DIRECTORY_MODE = 0o700;

const IN_MEMORY = ':memory:';

/**
 * Creates the missing parent folders (`./data` of `./data/a2a.db`) with mode 0700, as users of
 * an embedded database expect; without this, a fresh checkout fails with ENOENT, which no retry
 * ever fixes. Folders that exist keep their mode: that is the operator's decision.
 */
function createParentDirectory(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: DATABASE_DIRECTORY_MODE });
}

/**
 * Creates the file with mode 0600 before SQLite sees it (SQLite would create it 0644 under the
 * usual umask). An existing file keeps its mode: that is the operator's decision.
 */
function createPrivateFile(filename: string): void {
  closeSync(openSync(filename, 'a', DATABASE_FILE_MODE));
}

/**
 * SQLite gives its -wal and -shm files the mode of the database file; this re-checks, so the
 * companions of a private database file are never readable by others, whoever created them.
 */
function tightenCompanionFiles(filename: string): void {
  if ((statSync(filename).mode & 0o077) !== 0) return;
  for (const suffix of ['-wal', '-shm']) {
    try {
      const { mode } = statSync(filename + suffix);
      if ((mode & 0o077) !== 0) chmodSync(filename + suffix, DATABASE_FILE_MODE);
    } catch {
      // Not there (yet): when SQLite creates it, it copies the database file's mode.
    }
  }
}

/**
 * Opens a database file for the stores: WAL (readers never block the writer), `synchronous=FULL`
 * (a transaction is on disk, WAL included, before its commit returns, so nothing acknowledged is
 * lost on a crash or power cut), and a busy timeout for writers in other processes.
 */
export function openDatabaseFile(
  filename: string,
  busyTimeoutMs: number,
  secureDelete = false,
): SqliteDatabase {
  if (filename === IN_MEMORY) return new Database(IN_MEMORY, { timeout: busyTimeoutMs });
  let db: SqliteDatabase | undefined;
  try {
    createParentDirectory(filename);
    createPrivateFile(filename);
    db = new Database(filename, { fileMustExist: true, timeout: busyTimeoutMs });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL is required`);
    db.pragma('synchronous = FULL');
    // Zeroes freed content (deleted rows, overwritten plaintext) instead of leaving it in place.
    if (secureDelete) db.pragma('secure_delete = ON');
    tightenCompanionFiles(filename);
    return db;
  } catch (error) {
    db?.close();
    throw new StoreUnavailableError(
      `Cannot open SQLite database ${JSON.stringify(filename)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
