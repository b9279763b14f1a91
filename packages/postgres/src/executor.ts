import { createHash } from 'node:crypto';
import { type SchemaGate, StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isSchemaMissing, translatePgError } from './pg-errors.js';

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
  /** Set only by {@link preparedStatement}. */
  readonly name?: string;
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

/** Anything that runs a query: a `pg.Pool`, or a client inside the caller's transaction. */
export type RunQuery = (config: QueryConfig) => Promise<QueryResult>;

/** State shared by every executor of one store bundle. */
export interface ExecutorContext {
  readonly gate: SchemaGate;
  readonly isClosed: () => boolean;
}

/**
 * Runs the adapter's statements: refuses calls after `close()`, checks the schema once, and
 * translates every driver error into a typed a2a-stores error.
 */
export class PgExecutor {
  constructor(
    private readonly run: RunQuery,
    private readonly context: ExecutorContext,
  ) {}

  async query<R extends QueryResultRow>(stmt: Statement, values: readonly unknown[]): Promise<R[]> {
    if (this.context.isClosed()) throw new StoreClosedError();
    const { gate } = this.context;
    if (!gate.ready) await gate.ensure();
    try {
      const result = await this.run(
        stmt.name === undefined
          ? { text: stmt.text, values: [...values] }
          : { name: stmt.name, text: stmt.text, values: [...values] },
      );
      return result.rows as R[];
    } catch (error) {
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
}
