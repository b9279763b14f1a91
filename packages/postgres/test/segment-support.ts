import { SchemaGate, type Scope } from '@a2a-stores/core';
import type { StoredSegment } from '@a2a-stores/core/conformance';
import type pg from 'pg';
import type { QueryConfig } from 'pg';
import { expect } from 'vitest';
import { PgExecutor } from '../src/executor.js';
import { type PostgresNames, resolvePostgresNames } from '../src/options.js';
import { PostgresTaskBackend } from '../src/task-backend.js';
import { taskStatements } from '../src/task-sql.js';

/** A task backend on `schema` (already migrated), counting the statements it sends. */
export interface CountingBackend {
  readonly backend: PostgresTaskBackend;
  readonly db: PgExecutor;
  readonly names: PostgresNames;
  readonly statements: ReturnType<typeof taskStatements>;
  /** The texts of the statements sent since the last `reset()`. */
  readonly sent: string[];
  reset(): void;
}

export function countingBackend(pool: pg.Pool, schema: string): CountingBackend {
  const names = resolvePostgresNames({ schema });
  const sent: string[] = [];
  const db = new PgExecutor(
    {
      run: (config: QueryConfig) => {
        sent.push(config.text);
        return pool.query(config);
      },
      onPool: true,
    },
    {
      gate: new SchemaGate('PostgreSQL', async () => []),
      isClosed: () => false,
      pooler: { transactionPooling: false, onDetected: () => {} },
    },
  );
  const statements = taskStatements(names);
  return {
    backend: new PostgresTaskBackend(db, statements),
    db,
    names,
    statements,
    sent,
    reset: () => {
      sent.length = 0;
    },
  };
}

/** The raw columns of a task row, for checks the backend contract does not expose. */
export async function rawRow(
  pool: pg.Pool,
  names: PostgresNames,
  scope: Scope,
  id: string,
): Promise<{ segment_count: number; bytes: string; version: string } | undefined> {
  const { rows } = await pool.query(
    `SELECT segment_count, bytes, version FROM ${names.tasks} WHERE tenant = $1 AND owner = $2 AND id = $3`,
    [scope.tenant, scope.owner, id],
  );
  return rows[0];
}

/**
 * The segment rows stored for a task, in seq order (the probe of the shared append checks). It
 * checks on every read that the seqs run from 1 without a gap, as get reads them back by count.
 */
export async function storedSegments(
  pool: pg.Pool,
  names: PostgresNames,
  scope: Scope,
  id: string,
): Promise<StoredSegment[]> {
  const { rows } = await pool.query<StoredSegment & { seq: number }>(
    `SELECT seq, body, artifacts FROM ${names.segments} WHERE tenant = $1 AND owner = $2 AND task_id = $3 ORDER BY seq`,
    [scope.tenant, scope.owner, id],
  );
  expect(rows.map((row) => row.seq)).toEqual(rows.map((_, i) => i + 1));
  return rows.map(({ body, artifacts }) => ({ body, artifacts }));
}
