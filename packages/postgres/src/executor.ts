import { createHash } from 'node:crypto';
import { type SchemaGate, StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isSchemaMissing, sqlStateOf, translatePgError } from './pg-errors.js';

/**
 * A SQL text the adapter runs. Made by {@link statement} it is sent unnamed, not as a named
 * (server-prepared) statement: PostgreSQL then plans each call for its values and the table as it is now. A named
 * statement may switch to a cached generic plan after five calls, planned from the statistics of
 * that moment; on a table analysed (or vacuumed) while empty and not since, that plan scans the
 * whole table on every save and load, however big the table grew (issue #17, item 14). Unnamed,
 * nothing depends on a connection's history, the pool's owner, `plan_cache_mode` or a pooler's
 * handling of prepared statements; the price is one parse and plan per call.
 */
export interface Statement {
  readonly text: string;
  /** Set only by {@link preparedStatement} and {@link functionCallStatement}. */
  readonly name?: string;
  /** Behind a transaction pooler: sent unnamed as is (see {@link functionCallStatement}). */
  readonly plainWhenPooled?: boolean;
}

export function statement(text: string): Statement {
  return { text };
}

/**
 * A named (server-prepared) statement, for `list` only: on a table never analysed, a plan made
 * for the actual scope values estimates a scope of a few rows and sorts the whole scope for a
 * page (140 ms at 100k tasks in the scaling run), while the generic plan walks the by-time index
 * (1 ms). The name is derived from the text, so stores with different schemas sharing one pool
 * never clash over a name.
 */
export function preparedStatement(text: string): Statement {
  return { name: `a2a_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/**
 * A named statement that only calls one of the adapter's functions (`get_task`). Its own plan is a function scan whatever the statistics, and the function plans
 * and pins its statements itself, so the issue #17 hazard of named statements does not apply;
 * naming it saves the parse and plan of the call on every use (measured, 32 concurrent loads of
 * small tasks: 10,400 calls/s unnamed against 14,900 named). Behind a transaction pooler it goes
 * unnamed, with nothing around it: there is no plan to protect.
 */
export function functionCallStatement(text: string): Statement {
  return { ...preparedStatement(text), plainWhenPooled: true };
}

/** Anything that runs a query: a `pg.Pool`, or a client inside the caller's transaction. */
export type RunQuery = (config: QueryConfig) => Promise<QueryResult>;

/** Where an executor's statements go. */
export interface PgTarget {
  readonly run: RunQuery;
  /**
   * Runs `work` on one connection between BEGIN and COMMIT. Absent on a caller's client, whose
   * transaction is theirs.
   */
  readonly inTransaction?: <T>(work: (run: RunQuery) => Promise<T>) => Promise<T>;
}

/** State shared by every executor of one store bundle. */
export interface ExecutorContext {
  readonly gate: SchemaGate;
  readonly isClosed: () => boolean;
  readonly pooler: PoolerState;
}

/** Whether `list` may use its named statement; flips once when a transaction pooler shows. */
export interface PoolerState {
  transactionPooling: boolean;
  /** Called once, when `'auto'` detects a transaction pooler. */
  readonly onDetected: () => void;
}

/**
 * What PostgreSQL says when the session that prepared a named statement is not the one running
 * it: a transaction pooler (PgBouncer before 1.21 in transaction mode, Supavisor, pgcat) hands
 * each transaction whichever server connection is free. 26000: the statement is unknown there;
 * 42P05: another client already prepared that name there. Either way nothing ran.
 */
const POOLER_STATEMENT_SQLSTATES: ReadonlySet<string> = new Set(['26000', '42P05']);

/**
 * The generic plan a named statement would settle on (see {@link preparedStatement}), for an
 * unnamed statement: the setting lasts until COMMIT, so no pooled connection keeps it.
 */
const GENERIC_PLAN_TRANSACTION = 'BEGIN; SET LOCAL plan_cache_mode = force_generic_plan';

/**
 * Runs the adapter's statements: refuses calls after `close()`, checks the schema once, and
 * translates every driver error into a typed a2a-stores error.
 */
export class PgExecutor {
  constructor(
    private readonly target: PgTarget,
    private readonly context: ExecutorContext,
  ) {}

  async query<R extends QueryResultRow>(stmt: Statement, values: readonly unknown[]): Promise<R[]> {
    if (this.context.isClosed()) throw new StoreClosedError();
    const { gate } = this.context;
    if (!gate.ready) await gate.ensure();
    try {
      return (await this.send(stmt, values)).rows as R[];
    } catch (first) {
      let error = first;
      if (stmt.name !== undefined && isPoolerStatementError(error)) {
        const { pooler } = this.context;
        if (!pooler.transactionPooling) {
          pooler.transactionPooling = true;
          pooler.onDetected();
        }
        // Nothing ran, so once more without the name; not on a caller's client, whose
        // transaction the failed statement has aborted.
        if (this.target.inTransaction) {
          try {
            return (await this.send(stmt, values)).rows as R[];
          } catch (again) {
            error = again;
          }
        }
      }
      if (isSchemaMissing(error)) {
        // Dropped or rolled back after the cached check: re-check so the error names the step.
        gate.reset();
        await gate.ensure();
        throw new StoreUnavailableError('PostgreSQL reported a missing table or function', {
          cause: error,
        });
      }
      throw translatePgError(error);
    }
  }

  private send(stmt: Statement, values: readonly unknown[]): Promise<QueryResult> {
    const { text, name } = stmt;
    if (name === undefined) return this.target.run({ text, values: [...values] });
    if (!this.context.pooler.transactionPooling) {
      return this.target.run({ name, text, values: [...values] });
    }
    const { inTransaction } = this.target;
    // On a caller's client only the name can go: the plan is then made for the values.
    if (!inTransaction || stmt.plainWhenPooled)
      return this.target.run({ text, values: [...values] });
    return inTransaction(async (run) => {
      await run({ text: GENERIC_PLAN_TRANSACTION });
      return run({ text, values: [...values] });
    });
  }
}

function isPoolerStatementError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && POOLER_STATEMENT_SQLSTATES.has(state);
}

/** {@link PgTarget.inTransaction} on a pool: one checked-out client, released even on failure. */
export function poolTransaction(pool: Pool) {
  return async <T>(work: (run: RunQuery) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client's socket errors are emitted on it; the failing query reports them.
    const ignore = () => {};
    client.on('error', ignore);
    let failure: unknown;
    try {
      // The first statement carries BEGIN (see GENERIC_PLAN_TRANSACTION) so the round trips
      // stay three: BEGIN + setting, the statement, COMMIT.
      const result = await work((config) => client.query(config));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.removeListener('error', ignore);
      client.release(failure instanceof Error ? failure : undefined);
    }
  };
}
