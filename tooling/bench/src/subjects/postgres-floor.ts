import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { Pool } from 'pg';
import { encodeFloorTask } from './floor-codec.js';
import { FloorTaskStore } from './floor-store.js';
import { PostgresFloorReads } from './postgres-floor-reads.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_floor_tasks';

/** Creates (afresh) the floor's table: byte-wise keys, one index per keyset page it serves. */
export async function migratePostgresFloor(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    tenant text COLLATE "C" NOT NULL, owner text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    context_id text COLLATE "C" NOT NULL, state integer NOT NULL, sort_key bigint NOT NULL,
    body text NOT NULL, PRIMARY KEY (tenant, owner, id))`);
  await pool.query(
    `CREATE INDEX ${TABLE}_page ON ${TABLE} (tenant, owner, sort_key DESC, id DESC)`,
  );
  await pool.query(
    `CREATE INDEX ${TABLE}_context ON ${TABLE} (tenant, owner, context_id, sort_key DESC, id DESC)`,
  );
  await pool.query(
    `CREATE INDEX ${TABLE}_state ON ${TABLE} (tenant, owner, state, sort_key DESC, id DESC)`,
  );
}

/**
 * The least a PostgreSQL store can do: one named (server-side prepared) upsert of the task JSON
 * by its scoped key, one select by key, one keyset page. No validation, no count, no version.
 */
export class PostgresFloorTaskStore extends FloorTaskStore {
  readonly #pool: Pool;
  protected readonly reads: PostgresFloorReads;
  constructor(pool: Pool) {
    super();
    this.#pool = pool;
    this.reads = new PostgresFloorReads(pool, TABLE, 'floor');
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    await this.#pool.query({
      name: 'floor_upsert',
      text: `INSERT INTO ${TABLE} (tenant, owner, id, context_id, state, sort_key, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = EXCLUDED.context_id,
               state = EXCLUDED.state, sort_key = EXCLUDED.sort_key, body = EXCLUDED.body`,
      values: [tenant, owner, task.id, contextId, state, sortKey, body],
    });
  }
}
