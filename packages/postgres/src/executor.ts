import { createHash } from 'node:crypto';
import { type SchemaGate, StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isSchemaMissing, sqlStateOf, translatePgError } from './pg-errors.js';

/**
 * A SQL text the adapter runs. Made by {@link statement} it is sent unnamed, not as a named
 * (server-prepared) statement: PostgreSQL then plans each call for its values and the table as it
 * is now. A named statement may switch to a cached generic plan after five calls, planned from
 * the statistics of that moment; on a table analysed (or vacuumed) while small and not since,
 * that plan scans the whole table on every call, however big the table grew (issue #17, item
 * 14). Unnamed, nothing depends on a connection's history, the pool's owner, `plan_cache_mode`
 * or a pooler's handling of prepared statements; the price is one parse and plan per call.
 */
export interface Statement {
  readonly text: string;
  /** Set only by {@link functionCallStatement}. */
  readonly name?: string;
}

export function statement(text: string): Statement {
  return { text };
}

/**
 * A named statement that only calls one of the adapter's functions (`get_task`, `list_tasks`,
 * `put_task`, `append_task`). Its own plan is a function scan whatever the statistics, and the
 * function plans and pins its statements itself, so the issue #17 hazard of named statements
 * does not apply; naming it saves the parse and plan of the call on every use (measured with
 * pgbench, 16 clients calling `put_task`: 4,700 calls/s unnamed against 6,200 named; 32
 * concurrent loads of small tasks: 10,400 against 14,900). The name is derived from the text,
 * so stores with different schemas sharing one pool never clash over a name. Behind a
 * transaction pooler, and on a caller's client, it goes unnamed: there is no plan to protect.
 */
export function functionCallStatement(text: string): Statement {
  return { name: `a2a_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/** Anything that runs a query: a `pg.Pool`, or a client inside the caller's transaction. */
export type RunQuery = (config: QueryConfig) => Promise<QueryResult>;

/** Where an executor's statements go. */
export interface PgTarget {
  readonly run: RunQuery;
  /**
   * True on the stores' pool: function calls go named (see {@link functionCallStatement}), and
   * one refused by a transaction pooler before it ran is sent again unnamed. False on a
   * caller's client (`withClient`): nothing is named there, so no statement of the adapter can
   * be refused by a pooler and abort the caller's transaction.
   */
  readonly onPool: boolean;
}

/** State shared by every executor of one store bundle. */
export interface ExecutorContext {
  readonly gate: SchemaGate;
  readonly isClosed: () => boolean;
  readonly pooler: PoolerState;
}

/** Whether function calls may go named; flips once when a transaction pooler shows. */
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
        // Nothing ran, so once more without the name (named only on the pool: see `onPool`).
        try {
          return (await this.send(stmt, values)).rows as R[];
        } catch (again) {
          error = again;
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
    if (name === undefined || !this.target.onPool || this.context.pooler.transactionPooling) {
      return this.target.run({ text, values: [...values] });
    }
    return this.target.run({ name, text, values: [...values] });
  }
}

function isPoolerStatementError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && POOLER_STATEMENT_SQLSTATES.has(state);
}
