import { SchemaGate, SchemaNotMigratedError, StoreClosedError } from '@a2a-stores/core';
import type { Connection, Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isDeadlock, isMissingSchema, isUnavailable, translateError } from './mysql-errors.js';
import type { TableNames } from './options.js';
import { checkServerSettings, missingMigrations } from './schema-check.js';

export type SqlValue = string | number | Buffer | null;

/**
 * What a write reports, as numbers whatever the pool's supportBigNumbers / bigNumberStrings
 * settings (which turn these into strings).
 */
export interface WriteResult {
  readonly affectedRows: number;
  readonly insertId: number;
}

/** Runs statements on the pool (a connection per statement) or on one connection. */
export interface Executor {
  select<T extends object>(sql: string, params: readonly SqlValue[]): Promise<T[]>;
  write(sql: string, params: readonly SqlValue[]): Promise<WriteResult>;
  /**
   * A text-protocol write, for statements whose shape varies with a batch size. Only for
   * Buffers and numbers, which mysql2 writes as X'..' and digit literals: their escaping does
   * not depend on the session's sql_mode.
   */
  writeText(sql: string, params: readonly (Buffer | number)[]): Promise<WriteResult>;
}

function writeResult(header: ResultSetHeader): WriteResult {
  return { affectedRows: Number(header.affectedRows), insertId: Number(header.insertId) };
}

/**
 * Every statement goes through `execute` (server-side prepared, cached per connection): values
 * never pass through client-side escaping, so a pool whose `sql_mode` has NO_BACKSLASH_ESCAPES
 * or ANSI_QUOTES cannot turn a value into SQL. `rowsAsArray: false` keeps rows as objects even
 * when the pool you passed in was configured otherwise.
 */
export function executorOf(target: Pool | Connection): Executor {
  return {
    async select<T extends object>(sql: string, params: readonly SqlValue[]) {
      const [rows] = await target.execute<RowDataPacket[]>(
        { sql, rowsAsArray: false },
        params as SqlValue[],
      );
      return rows as unknown as T[];
    },
    async write(sql: string, params: readonly SqlValue[]) {
      const [result] = await target.execute<ResultSetHeader>({ sql }, params as SqlValue[]);
      return writeResult(result);
    },
    async writeText(sql: string, params: readonly (Buffer | number)[]) {
      const [result] = await target.query<ResultSetHeader>({ sql }, params as (Buffer | number)[]);
      return writeResult(result);
    },
  };
}

/** State shared by a bundle and every `withConnection` binding made from it. */
export interface SharedState {
  closed: boolean;
  readonly tables: TableNames;
  readonly maxTaskBytes: number;
  readonly maxPushConfigBytes: number;
  /** Checks the ledger and server settings once, on the pool. */
  readonly gate: SchemaGate;
}

export function createSharedState(
  pool: Pool,
  tables: TableNames,
  limits: { maxTaskBytes: number; maxPushConfigBytes: number },
): SharedState {
  const db = executorOf(pool);
  return {
    closed: false,
    tables,
    ...limits,
    gate: new SchemaGate('MySQL', () => findMissing(db, tables, limits)),
  };
}

async function findMissing(
  db: Executor,
  tables: TableNames,
  limits: { maxTaskBytes: number; maxPushConfigBytes: number },
): Promise<readonly string[]> {
  const missing = await missingMigrations(db, tables);
  if (missing.length === 0) await checkServerSettings(db, limits);
  return missing;
}

/** InnoDB deadlock victims are retried this many times in all (only outside your transaction). */
const MAX_DEADLOCK_ATTEMPTS = 5;

function backoff(attempt: number): Promise<void> {
  // Jittered, so two victims of the same deadlock do not collide again in lockstep.
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * attempt));
}

type Target = { readonly pool: Pool } | { readonly connection: Connection };

/**
 * Where a backend's statements run, and the rules every call follows: refuse after `close()`,
 * check the schema once, retry deadlock victims when the whole unit is ours, and translate
 * driver errors into core's typed errors.
 */
export class SqlRunner {
  private readonly db: Executor;

  constructor(
    private readonly target: Target,
    private readonly shared: SharedState,
  ) {
    this.db = executorOf('pool' in target ? target.pool : target.connection);
  }

  get tables(): TableNames {
    return this.shared.tables;
  }

  /** True when the statements join a transaction the caller owns. */
  get joined(): boolean {
    return 'connection' in this.target;
  }

  /** Independent statements: autocommit on the pool, or inside the caller's transaction. */
  run<T>(operation: string, work: (db: Executor) => Promise<T>): Promise<T> {
    return this.attempt(operation, () => work(this.db));
  }

  /**
   * Statements that must apply together. On the pool: one connection, START TRANSACTION ...
   * COMMIT, retried as a whole when InnoDB picks it as a deadlock victim. Joined: they simply
   * run inside the caller's transaction, which commits or rolls back with everything else.
   */
  transaction<T>(operation: string, work: (db: Executor) => Promise<T>): Promise<T> {
    const target = this.target;
    if (!('pool' in target)) return this.run(operation, work);
    return this.attempt(operation, async () => {
      const connection = await target.pool.getConnection();
      let broken = false;
      try {
        await connection.beginTransaction();
        const result = await work(executorOf(connection));
        await connection.commit();
        return result;
      } catch (error) {
        broken = isUnavailable(error);
        if (!broken) {
          await connection.rollback().catch(() => {
            broken = true;
          });
        }
        throw error;
      } finally {
        // A connection that broke mid-transaction must not go back to the pool.
        if (broken) connection.destroy();
        else connection.release();
      }
    });
  }

  private async attempt<T>(operation: string, once: () => Promise<T>): Promise<T> {
    if (this.shared.closed) throw new StoreClosedError();
    try {
      await this.ensureSchema();
      for (let attempt = 1; ; attempt++) {
        try {
          return await once();
        } catch (error) {
          // Inside the caller's transaction a deadlock rolled back their whole transaction:
          // only they can retry it, so it surfaces (as StoreUnavailableError).
          if (this.joined || !isDeadlock(error) || attempt >= MAX_DEADLOCK_ATTEMPTS) throw error;
          await backoff(attempt);
        }
      }
    } catch (error) {
      // close() ended the pool under this call: say so, rather than "unavailable".
      if (this.shared.closed && isUnavailable(error)) throw new StoreClosedError();
      if (isMissingSchema(error)) throw await this.schemaError(error);
      throw translateError(error, operation);
    }
  }

  private async ensureSchema(): Promise<void> {
    const gate = this.shared.gate;
    if (gate.ready) return;
    if (!this.joined) return gate.ensure();
    // Checked on the caller's connection: the pool may have no connection to spare while the
    // caller holds one in a transaction.
    const missing = await findMissing(this.db, this.shared.tables, this.shared);
    if (missing.length > 0) throw new SchemaNotMigratedError('MySQL', missing);
    gate.markReady();
  }

  /** A table or column vanished after the check (dropped by hand, or an older schema). */
  private async schemaError(error: unknown): Promise<SchemaNotMigratedError> {
    this.shared.gate.reset();
    const missing = await missingMigrations(this.db, this.shared.tables).catch(() => []);
    const detail = (error as { sqlMessage?: unknown }).sqlMessage;
    return new SchemaNotMigratedError(
      'MySQL',
      missing.length > 0 ? missing : [typeof detail === 'string' ? detail : 'a table or column'],
    );
  }
}
