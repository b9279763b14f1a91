import { TaskState } from '@a2a-js/sdk';
import { type EncodedTask, type EncodedTaskAppend, SchemaGate, type Scope } from '@a2a-stores/core';
import type pg from 'pg';
import type { QueryConfig } from 'pg';
import { PgExecutor, poolTransaction } from '../src/executor.js';
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
      inTransaction: poolTransaction(pool),
    },
    {
      gate: new SchemaGate('PostgreSQL', async () => []),
      isClosed: () => false,
      pooler: { transactionPooling: false, onDetected: () => {} },
    },
  );
  const statements = taskStatements(names);
  return {
    backend: new PostgresTaskBackend(db, names, statements),
    db,
    names,
    statements,
    sent,
    reset: () => {
      sent.length = 0;
    },
  };
}

/** The lineage `encoded` and `appendOf` use unless told otherwise. */
export const LINEAGE = 'lineage-1';

/** A task as core encodes it; backends never look inside body or artifacts. */
export function encoded(
  id: string,
  overrides: Partial<Omit<EncodedTask, 'id' | 'bytes'>> = {},
): EncodedTask {
  const body = overrides.body ?? JSON.stringify({ id, head: 'base' });
  const artifacts = overrides.artifacts ?? '[]';
  return {
    id,
    contextId: overrides.contextId ?? 'ctx-1',
    state: overrides.state ?? TaskState.TASK_STATE_WORKING,
    sortKey: overrides.sortKey ?? 1000,
    body,
    artifacts,
    bytes: Buffer.byteLength(body) + Buffer.byteLength(artifacts),
    lineage: overrides.lineage ?? LINEAGE,
  };
}

/** An append of segment `n` to task `id`. */
export function appendOf(
  id: string,
  n: number,
  overrides: Partial<Omit<EncodedTaskAppend, 'id' | 'segment'>> & { artifacts?: string } = {},
): EncodedTaskAppend {
  return {
    id,
    contextId: overrides.contextId ?? 'ctx-1',
    state: overrides.state ?? TaskState.TASK_STATE_WORKING,
    sortKey: overrides.sortKey ?? 1000 + n,
    segment: { body: JSON.stringify({ n }), artifacts: overrides.artifacts ?? `[${n}]` },
    bytes: overrides.bytes ?? 100 + n,
    lineage: overrides.lineage ?? LINEAGE,
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

/** The seqs of the segment rows stored for a task, in order. */
export async function storedSeqs(
  pool: pg.Pool,
  names: PostgresNames,
  scope: Scope,
  id: string,
): Promise<number[]> {
  const { rows } = await pool.query<{ seq: number }>(
    `SELECT seq FROM ${names.segments} WHERE tenant = $1 AND owner = $2 AND task_id = $3 ORDER BY seq`,
    [scope.tenant, scope.owner, id],
  );
  return rows.map((row) => row.seq);
}
