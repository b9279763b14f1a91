import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { TERMINAL_STATES } from '@a2a-stores/core';
import type { Pool } from 'pg';
import { encodeFloorTask } from './floor-codec.js';
import { FloorTaskStore } from './floor-store.js';
import { PostgresFloorReads } from './postgres-floor-reads.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_gfloor_tasks';
const COUNTS = 'bench_gfloor_counts';

/** Creates (afresh) the guarded floor's tables: the floor's, plus a purge index and counters. */
export async function migratePostgresGuardedFloor(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}, ${COUNTS}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    tenant text COLLATE "C" NOT NULL, owner text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    context_id text COLLATE "C" NOT NULL, state integer NOT NULL, sort_key bigint NOT NULL,
    version bigint NOT NULL, updated_at bigint NOT NULL, body text NOT NULL,
    PRIMARY KEY (tenant, owner, id))`);
  for (const [suffix, columns] of [
    ['page', 'tenant, owner, sort_key DESC, id DESC'],
    ['context', 'tenant, owner, context_id, sort_key DESC, id DESC'],
    ['state', 'tenant, owner, state, sort_key DESC, id DESC'],
    ['purge', 'state, updated_at'],
  ] as const) {
    await pool.query(`CREATE INDEX ${TABLE}_${suffix} ON ${TABLE} (${columns})`);
  }
  await pool.query(`CREATE TABLE ${COUNTS} (
    tenant text COLLATE "C" NOT NULL, owner text COLLATE "C" NOT NULL,
    context_id text COLLATE "C" NOT NULL, state integer NOT NULL, shard smallint NOT NULL,
    n bigint NOT NULL, PRIMARY KEY (tenant, owner, context_id, state, shard))`);
}

/**
 * The save in one statement, as the floor's: lock the stored row, write a new version and a
 * write time unless the move is stale, then move the counters (scope; state when set; context
 * when set) from the old row's keys to the new row's, on the transaction's shard of each counter
 * (as the adapter: a busy scope's writers must not queue on one row). `sort_key IS NOT NULL` steers the lookup to
 * the primary key on a never-analysed table, as the adapter does. $1 tenant, $2 owner, $3 id, $4 context,
 * $5 state, $6 sort key, $7 now, $8 body.
 */
const SAVE = `WITH old AS MATERIALIZED (
    SELECT state, context_id, version FROM ${TABLE}
    WHERE tenant = $1 AND owner = $2 AND id = $3 AND sort_key IS NOT NULL FOR UPDATE
  ),
  up AS (
    INSERT INTO ${TABLE} AS t (tenant, owner, id, context_id, state, sort_key, version, updated_at, body)
    SELECT $1, $2, $3, $4, $5, $6, COALESCE((SELECT version FROM old), 0) + 1, $7, $8
    WHERE NOT EXISTS (SELECT 1 FROM old WHERE state IN (${TERMINAL_STATES.join(', ')}) AND state <> $5)
    ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = excluded.context_id,
      state = excluded.state, sort_key = excluded.sort_key, version = excluded.version,
      updated_at = excluded.updated_at, body = excluded.body
    RETURNING t.state, t.context_id
  ),
  delta AS (
    SELECT state, context_id, 1 AS d FROM up
    UNION ALL
    SELECT state, context_id, -1 FROM old WHERE EXISTS (SELECT 1 FROM up)
  ),
  keyed AS (
    SELECT k.context_id, k.state, sum(delta.d) AS n
    FROM delta CROSS JOIN LATERAL (VALUES
      (0, ''::text, 0), (1, ''::text, delta.state), (2, delta.context_id, 0)
    ) AS k(kind, context_id, state)
    WHERE k.kind = 0 OR (k.kind = 1 AND k.state <> 0) OR (k.kind = 2 AND k.context_id <> '')
    GROUP BY k.context_id, k.state
  )
  INSERT INTO ${COUNTS} AS c (tenant, owner, context_id, state, shard, n)
  SELECT $1, $2, context_id, state, (txid_current() % 16)::smallint, n
  FROM keyed WHERE n <> 0 ORDER BY context_id, state
  ON CONFLICT (tenant, owner, context_id, state, shard) DO UPDATE SET n = c.n + excluded.n`;

/**
 * The raw floor plus, in raw SQL and still one round trip, the write guarantees the adapter
 * gives and the floor skips: row lock and version, the terminal guard, a write time with its
 * purge index, and the exact counters behind `totalSize`. It prices those guarantees on this
 * server, so the report can tell them from overhead of the adapter's own.
 */
export class PostgresGuardedFloorTaskStore extends FloorTaskStore {
  readonly #pool: Pool;
  protected readonly reads: PostgresFloorReads;
  constructor(pool: Pool) {
    super();
    this.#pool = pool;
    this.reads = new PostgresFloorReads(pool, TABLE, 'gfloor');
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    await this.#pool.query({
      name: 'gfloor_save',
      text: SAVE,
      values: [tenant, owner, task.id, contextId, state, sortKey, Date.now(), body],
    });
  }
}
