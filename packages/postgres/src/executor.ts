import { createHash } from 'node:crypto';
import { type SchemaGate, StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isSchemaMissing, translatePgError } from './pg-errors.js';

/**
 * A SQL text with a stable prepared-statement name. The name is derived from the text, so two
 * stores with different schemas sharing one pool never clash over a name, and each connection
 * parses a statement once.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export function statement(text: string): Statement {
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
      const result = await this.run({ name: stmt.name, text: stmt.text, values: [...values] });
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
