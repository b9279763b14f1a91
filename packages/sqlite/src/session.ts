import { type MigrationResult, SchemaGate, StoreClosedError } from '@a2a-stores/core';
import type { Statement } from 'better-sqlite3';
import { toStoreError } from './driver-errors.js';
import { applyMigrations, pendingMigrations } from './migrations.js';
import type { SqliteDatabase } from './options.js';
import type { SchemaNames } from './sql.js';
import { WriteQueue } from './write-queue.js';

/**
 * What the task and push backends share over one connection: the schema gate, the statement
 * cache, the write queue, the closed flag and error translation. Every backend read goes through
 * {@link run}, every write through {@link write}.
 */
export class SqliteSession {
  readonly db: SqliteDatabase;
  readonly names: SchemaNames;
  private readonly ownsDatabase: boolean;
  private readonly statements = new Map<string, Statement>();
  /** Reads the ledger on first use; caches success only, so a later `migrate()` is picked up. */
  private readonly schema: SchemaGate;
  /** Writes wait here so that reads never wait for them (see {@link WriteQueue}). */
  private readonly writes = new WriteQueue();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(db: SqliteDatabase, names: SchemaNames, ownsDatabase: boolean) {
    this.db = db;
    this.names = names;
    this.ownsDatabase = ownsDatabase;
    this.schema = new SchemaGate('SQLite', async () =>
      this.translated(() => pendingMigrations(db, names)),
    );
  }

  /**
   * Runs one read at once, once the schema is known to be migrated: refuses after `close()`
   * and translates driver errors. `operation` is synchronous (better-sqlite3 is), so nothing
   * else in this process interleaves with it; it sees every write acknowledged before it.
   */
  run<T>(operation: () => T): Promise<T> {
    // Once migrated, a read settles with no frame of its own: it is most of a point load.
    if (this.closed || !this.schema.ready) return this.runOnceReady(operation);
    try {
      return Promise.resolve(this.translated(operation));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async runOnceReady<T>(operation: () => T): Promise<T> {
    this.assertOpen();
    if (!this.schema.ready) await this.schema.ensure();
    this.assertOpen();
    return this.translated(operation);
  }

  /**
   * Runs one write (its own transaction) in its turn of the write queue, after the writes
   * called before it: reads called meanwhile are answered first. Settles once it committed.
   * Refuses after `close()`; a write called before `close()` still runs.
   */
  async write<T>(operation: () => T): Promise<T> {
    this.assertOpen();
    if (!this.schema.ready) await this.schema.ensure();
    this.assertOpen();
    // Enqueued in the caller's own turn once the schema is known (no await before it), so a
    // write called before `close()` is always in the queue that `close()` drains.
    return this.writes.enqueue(() => this.translated(operation));
  }

  /**
   * The prepared statement for `sql`, prepared on first use (after the schema check, since
   * preparing needs the tables) and reused from then on.
   */
  statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  migrate(now: number): MigrationResult {
    this.assertOpen();
    const result = this.translated(() => applyMigrations(this.db, this.names, now));
    this.schema.markReady();
    return result;
  }

  /** The migration ids the ledger lacks (for `health()`); refuses after `close()`. */
  pendingMigrations(): string[] {
    this.assertOpen();
    return this.translated(() => pendingMigrations(this.db, this.names));
  }

  /** Runs `operation` on the connection unless closed, with driver errors translated. */
  exclusive<T>(operation: (db: SqliteDatabase) => T): T {
    this.assertOpen();
    return this.translated(() => operation(this.db));
  }

  /**
   * Idempotent. Refuses new calls at once, lets the writes accepted before it finish, then
   * closes the connection when this session opened it.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.writes.drained().then(() => {
      this.statements.clear();
      if (this.ownsDatabase && this.db.open) this.db.close();
    });
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private translated<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw toStoreError(error, this.db);
    }
  }
}
