import { SchemaGate, SchemaNotMigratedError, StoreClosedError } from '@a2a-stores/core';
import type { Connection, Pool } from 'mysql2/promise';
import { type Executor, executorOf, type SqlValue } from './executor.js';
import { isDeadlock, isMissingSchema, isUnavailable, translateError } from './mysql-errors.js';
import type { TableNames } from './options.js';
import { checkServerSettings, missingMigrations } from './schema-check.js';

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

/**
 * Deadlock victims are attempted this many times in all (only outside your transaction). On
 * Galera a certification conflict surfaces as the same error, and two nodes writing one scope's
 * count row conflict often: enough attempts, spread out, let both writes through.
 */
const MAX_DEADLOCK_ATTEMPTS = 8;

function backoff(attempt: number): Promise<void> {
  // Jittered, so two victims do not collide again in lockstep; growing, so a winner replicating
  // from another node (Galera) has time to be applied before the retry reads.
  const capMs = Math.min(5 * 2 ** attempt, 250);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
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
    if (!this.steady) return this.attempt(operation, () => work(this.db));
    return this.settle(operation, () => work(this.db));
  }

  /**
   * One SELECT's rows, with the rules of {@link run}. The read path: once the schema is known,
   * the statement goes straight to the driver with no async frame and one promise layer (the
   * failure handler); the retry's closure is only built when the statement fails.
   */
  select<T extends object>(
    operation: string,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<T[]> {
    if (!this.steady) return this.attempt(operation, () => this.db.select<T>(sql, params));
    return this.db
      .select<T>(sql, params)
      .catch((error: unknown) =>
        this.recover(operation, () => this.db.select<T>(sql, params), error),
      );
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

  /** Open, and the schema already found complete: nothing to check before a statement. */
  private get steady(): boolean {
    return !this.shared.closed && this.shared.gate.ready;
  }

  /** Runs `once` (the steady path: no schema check before it). */
  private settle<T>(operation: string, once: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = once();
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.catch((error: unknown) => this.recover(operation, once, error));
  }

  /** After a first attempt failed with `error`: retries a deadlock victim, else translates. */
  private async recover<T>(operation: string, once: () => Promise<T>, error: unknown): Promise<T> {
    if (this.retriable(error, 1)) {
      await backoff(1);
      return this.attempt(operation, once, 2);
    }
    throw await this.failure(operation, error);
  }

  private async attempt<T>(operation: string, once: () => Promise<T>, first = 1): Promise<T> {
    if (this.shared.closed) throw new StoreClosedError();
    try {
      await this.ensureSchema();
      for (let attempt = first; ; attempt++) {
        try {
          return await once();
        } catch (error) {
          if (!this.retriable(error, attempt)) throw error;
          await backoff(attempt);
        }
      }
    } catch (error) {
      throw await this.failure(operation, error);
    }
  }

  /**
   * Inside the caller's transaction a deadlock rolled back their whole transaction: only they
   * can retry it, so it surfaces (as StoreUnavailableError).
   */
  private retriable(error: unknown, attempt: number): boolean {
    return !this.joined && isDeadlock(error) && attempt < MAX_DEADLOCK_ATTEMPTS;
  }

  /** The typed error a failed call surfaces. */
  private async failure(operation: string, error: unknown): Promise<unknown> {
    // close() ended the pool under this call: say so, rather than "unavailable".
    if (this.shared.closed && isUnavailable(error)) return new StoreClosedError();
    if (isMissingSchema(error)) return this.schemaError(error);
    return translateError(error, operation);
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
