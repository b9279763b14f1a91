import {
  applyPendingMigrations,
  type MigrationResult,
  missingMigrationIds,
  renderMigrationScript,
  type SqlMigration,
  sqlStringLiteral,
} from '@a2a-stores/core';
import type { Pool, PoolClient } from 'pg';
import { counterKeysOf } from './counter-sql.js';
import { createListTasksFunction } from './list-function.js';
import { type PostgresNames, type PostgresStoreOptions, resolvePostgresNames } from './options.js';
import { translatePgError } from './pg-errors.js';
import { createGetTaskFunction } from './read-function.js';
import {
  createAppendTaskFunction,
  createPutTaskFunction,
  replaceWriteFunctionsForRecent,
} from './write-functions.js';

/**
 * The ordered schema steps with their SQL, for tools that print or review what `migrate()` runs
 * (e.g. a dry run). Ids are recorded in the ledger table and never change once released.
 *
 * @example
 * ```ts
 * import { postgresMigrations } from '@a2a-stores/postgres';
 * for (const step of postgresMigrations({ schema: 'app' })) console.log(step.id, step.statements);
 * ```
 */
export function postgresMigrations(
  options: Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'> = {},
): readonly SqlMigration[] {
  return migrationSteps(resolvePostgresNames(options));
}

/** The steps for resolved names; a new column or index is a new step at the end. */
function migrationSteps(names: PostgresNames): readonly SqlMigration[] {
  const { tasks, counts, pushConfigs, pushSeq, putPushConfig } = names;
  return [
    {
      id: '0001_tasks',
      statements: [
        // COLLATE "C" compares bytes: UTF-8 byte order is code point order, core's compareIds.
        // Fixed-width columns first; body and artifacts last and apart, so a page that does not
        // return artifacts never reads (or de-TOASTs) them.
        `CREATE TABLE ${tasks} (
          tenant text COLLATE "C" NOT NULL,
          owner text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          context_id text COLLATE "C" NOT NULL,
          state smallint NOT NULL,
          sort_key bigint NOT NULL,
          version bigint NOT NULL,
          updated_at bigint NOT NULL,
          body text NOT NULL,
          artifacts text NOT NULL,
          PRIMARY KEY (tenant, owner, id)
        )`,
        `CREATE INDEX ${names.index('tasks_by_time')} ON ${tasks} (tenant, owner, sort_key DESC, id DESC)`,
        `CREATE INDEX ${names.index('tasks_by_context')} ON ${tasks} (tenant, owner, context_id, sort_key DESC, id DESC)`,
        `CREATE INDEX ${names.index('tasks_by_state')} ON ${tasks} (tenant, owner, state, sort_key DESC, id DESC)`,
        `CREATE INDEX ${names.index('tasks_purge')} ON ${tasks} (state, updated_at)`,
      ],
    },
    {
      id: '0002_task_counts',
      statements: [
        `CREATE TABLE ${counts} (
          tenant text COLLATE "C" NOT NULL,
          owner text COLLATE "C" NOT NULL,
          context_id text COLLATE "C" NOT NULL,
          state smallint NOT NULL,
          n bigint NOT NULL,
          PRIMARY KEY (tenant, owner, context_id, state)
        )`,
        // Counts any task stored before this step, so an upgraded schema starts exact.
        `INSERT INTO ${counts} (tenant, owner, context_id, state, n)
         SELECT t.tenant, t.owner, k.context_id, k.state, count(*)
         FROM ${tasks} AS t
         ${counterKeysOf('t')}
         GROUP BY t.tenant, t.owner, k.context_id, k.state`,
      ],
    },
    {
      id: '0003_push_configs',
      statements: [
        `CREATE SEQUENCE ${pushSeq}`,
        `CREATE TABLE ${pushConfigs} (
          tenant text COLLATE "C" NOT NULL,
          owner text COLLATE "C" NOT NULL,
          task_id text COLLATE "C" NOT NULL,
          config_id text COLLATE "C" NOT NULL,
          seq bigint NOT NULL,
          updated_at bigint NOT NULL,
          wire_version text NOT NULL,
          config text NOT NULL,
          PRIMARY KEY (tenant, owner, task_id, config_id)
        )`,
        // A function, so the per-task cap check and the write are one round trip and atomic:
        // the advisory lock serialises writers of one task's configs, and the count after it
        // (a new snapshot, as in every VOLATILE plpgsql statement) sees every committed config.
        `CREATE FUNCTION ${putPushConfig}(
          p_tenant text, p_owner text, p_task_id text, p_config_id text,
          p_config text, p_wire_version text, p_max bigint, p_now bigint
        ) RETURNS boolean
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        AS $fn$
        DECLARE
          existing_count bigint;
          has_same_id boolean;
        BEGIN
          PERFORM pg_advisory_xact_lock(hashtextextended(
            length(p_tenant) || ':' || p_tenant || length(p_owner) || ':' || p_owner || p_task_id, 0));
          SELECT count(*), coalesce(bool_or(config_id = p_config_id), false)
            INTO existing_count, has_same_id
            FROM ${pushConfigs}
            WHERE tenant = p_tenant AND owner = p_owner AND task_id = p_task_id;
          IF NOT has_same_id AND existing_count >= p_max THEN
            RETURN false;
          END IF;
          INSERT INTO ${pushConfigs} (tenant, owner, task_id, config_id, seq, updated_at, wire_version, config)
          VALUES (p_tenant, p_owner, p_task_id, p_config_id, nextval('${pushSeq}'), p_now, p_wire_version, p_config)
          ON CONFLICT (tenant, owner, task_id, config_id) DO UPDATE SET
            seq = excluded.seq, updated_at = excluded.updated_at,
            wire_version = excluded.wire_version, config = excluded.config;
          RETURN true;
        END
        $fn$`,
      ],
    },
    {
      id: '0004_push_config_plans',
      statements: [
        // plpgsql caches its statements' plans per session and may settle on a generic one made
        // while the table was empty, which then scans the whole table on every call (issue #17,
        // item 14). Planned per call, the cap check stays an index probe at any size.
        `ALTER FUNCTION ${putPushConfig}(text, text, text, text, text, text, bigint, bigint)
          SET plan_cache_mode = force_custom_plan`,
      ],
    },
    {
      id: '0005_coordination',
      statements: [
        // One row per running execution; expiry is judged on the database clock, so workers
        // with skewed clocks agree on who is alive.
        `CREATE TABLE ${names.leases} (
          key text COLLATE "C" PRIMARY KEY,
          tenant text COLLATE "C" NOT NULL,
          owner text COLLATE "C" NOT NULL,
          task_id text COLLATE "C" NOT NULL,
          holder text COLLATE "C" NOT NULL,
          token text COLLATE "C" NOT NULL,
          expires_at timestamptz NOT NULL
        )`,
        `CREATE INDEX ${names.index('leases_by_expiry')} ON ${names.leases} (expires_at)`,
        // Messages over NOTIFY's 8000-byte payload: the NOTIFY carries the row id only. Rows are
        // read right after commit and deleted by later publishers once a minute old. UNLOGGED:
        // no WAL flush per message (a spill costs what a NOTIFY costs); a crash empties it, but a
        // crash also drops every LISTEN connection, so nothing could have read those rows anyway.
        `CREATE UNLOGGED TABLE ${names.spill} (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          channel text COLLATE "C" NOT NULL,
          payload text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )`,
        `CREATE INDEX ${names.index('coord_spill_by_age')} ON ${names.spill} (created_at)`,
      ],
    },
    {
      id: '0006_task_segments',
      statements: [
        // Constant defaults (and a nullable column): PostgreSQL 11+ records them in the catalog
        // without rewriting the table, so the step is instant at any size. Existing rows read
        // as 0 segments, an unknown size (0) and no lineage, which core treats as "not
        // appendable until the next full write".
        `ALTER TABLE ${tasks}
          ADD COLUMN segment_count integer NOT NULL DEFAULT 0,
          ADD COLUMN bytes bigint NOT NULL DEFAULT 0,
          ADD COLUMN lineage text COLLATE "C"`,
        // One row per appended save; (…, seq) is also the order they are read back in.
        `CREATE TABLE ${names.segments} (
          tenant text COLLATE "C" NOT NULL,
          owner text COLLATE "C" NOT NULL,
          task_id text COLLATE "C" NOT NULL,
          seq integer NOT NULL,
          body text NOT NULL,
          artifacts text NOT NULL,
          PRIMARY KEY (tenant, owner, task_id, seq)
        )`,
      ],
    },
    {
      id: '0007_counter_shards',
      statements: [
        // Each counter key becomes up to COUNTER_SHARDS rows summed on read (see counter-sql.ts).
        // The rows counted so far become shard 0 of their key: every total stays what it was.
        // A constant default adds the column without rewriting the table.
        `ALTER TABLE ${counts} ADD COLUMN shard smallint NOT NULL DEFAULT 0`,
        `ALTER TABLE ${counts} ALTER COLUMN shard DROP DEFAULT`,
        // The primary key's name is PostgreSQL's choice (truncated for long prefixes): look it up.
        `DO $do$
        DECLARE
          pk name;
        BEGIN
          SELECT conname INTO STRICT pk FROM pg_catalog.pg_constraint
            WHERE conrelid = ${sqlStringLiteral(counts)}::regclass AND contype = 'p';
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', ${sqlStringLiteral(counts)}::regclass, pk);
        END
        $do$`,
        `ALTER TABLE ${counts} ADD PRIMARY KEY (tenant, owner, context_id, state, shard)`,
      ],
    },
    {
      id: '0008_write_functions',
      // Full writes and appends run in functions whose plans are cached (see write-functions.ts).
      // Their 0008 texts, frozen: later steps replace the functions (see write-functions.ts).
      statements: [createPutTaskFunction(names, false), createAppendTaskFunction(names, false)],
    },
    {
      id: '0009_recent_history',
      statements: [
        // A large task's recent form (its head and last messages, at most 4 KiB; see core's
        // RecentHistory), so a list with a short historyLength reads it instead of the body.
        // Nullable without a default: recorded in the catalog, no table rewrite. NULL (small
        // tasks, rows written before this step): the list reads the body as before.
        `ALTER TABLE ${tasks} ADD COLUMN recent text, ADD COLUMN recent_reach integer`,
        ...replaceWriteFunctionsForRecent(names),
      ],
    },
    {
      id: '0010_read_function',
      // Loads run in a function whose plan is cached and pinned to the primary key (see
      // read-function.ts).
      statements: [createGetTaskFunction(names)],
    },
    {
      id: '0011_list_function',
      // List pages run in a function whose plans are cached and kept on the index of the page's
      // order (see list-function.ts).
      statements: [createListTasksFunction(names)],
    },
    {
      id: '0012_list_index_order',
      // The same function with each filtered page ordered by its filter's column, so that only
      // that filter's index serves it (see list-function.ts). Same arguments and result: a
      // previous release's processes keep calling it. 0011 is not frozen: its function reads
      // no column added after it, so a new schema creates this body, then replaces it alike.
      statements: [createListTasksFunction(names, true)],
    },
  ];
}

/** The ledger table: one row per applied step. */
export function ledgerTableSql(names: PostgresNames): string {
  return `CREATE TABLE IF NOT EXISTS ${names.ledger} (
        id text COLLATE "C" PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
}

/**
 * The complete script a DBA can apply with psql instead of running `migrate()`: the schema, the
 * ledger, every step and its ledger row, in one transaction.
 *
 * @example
 * ```ts
 * import { postgresMigrationScript } from '@a2a-stores/postgres';
 * process.stdout.write(postgresMigrationScript({ schema: 'agents' })); // | psql "$DATABASE_URL"
 * ```
 */
export function postgresMigrationScript(
  options: Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'> = {},
): string {
  const names = resolvePostgresNames(options);
  return renderMigrationScript({
    target: `PostgreSQL, schema ${names.schemaSql}, table prefix ${JSON.stringify(names.tablePrefix)}`,
    setup: [`CREATE SCHEMA IF NOT EXISTS ${names.schemaSql}`, ledgerTableSql(names)],
    migrations: migrationSteps(names),
    record: (id) => `INSERT INTO ${names.ledger} (id) VALUES (${sqlStringLiteral(id)})`,
    transaction: { begin: 'BEGIN', commit: 'COMMIT' },
  });
}

/** The known migration ids the ledger lacks (all of them when the ledger does not exist). */
export async function findMissingMigrations(pool: Pool, names: PostgresNames): Promise<string[]> {
  const all = migrationSteps(names);
  try {
    const found = await pool.query<{ ledger: string | null }>(
      'SELECT to_regclass($1)::text AS ledger',
      [names.ledger],
    );
    if (!found.rows[0]?.ledger) return all.map((m) => m.id);
    const applied = await pool.query<{ id: string }>(`SELECT id FROM ${names.ledger}`);
    return missingMigrationIds(
      all,
      applied.rows.map((r) => r.id),
    );
  } catch (error) {
    throw translatePgError(error);
  }
}

/**
 * Applies the pending steps in one transaction under an advisory lock keyed by schema and
 * prefix: concurrent `migrate()` calls from several workers wait for each other, and the later
 * ones find nothing to do. PostgreSQL DDL is transactional, so a failed step leaves no trace.
 */
export async function migratePostgres(pool: Pool, names: PostgresNames): Promise<MigrationResult> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translatePgError(error);
  }
  // A checked-out client's socket errors are emitted on it; without a listener they would crash
  // the process. The failing query rejects as well, which is where the error is reported.
  const ignore = () => {};
  client.on('error', ignore);
  let failure: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [names.migrationLockKey]);
    const schema = await client.query<{ found: string | null }>(
      'SELECT to_regnamespace($1)::text AS found',
      [names.schemaSql],
    );
    // Only when missing: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database.
    if (!schema.rows[0]?.found) await client.query(`CREATE SCHEMA ${names.schemaSql}`);
    await client.query(ledgerTableSql(names));
    const result = await applyPendingMigrations(migrationSteps(names), {
      applied: async () =>
        (await client.query<{ id: string }>(`SELECT id FROM ${names.ledger}`)).rows.map(
          (r) => r.id,
        ),
      apply: async (migration) => {
        for (const statement of migration.statements) await client.query(statement);
        await client.query(`INSERT INTO ${names.ledger} (id) VALUES ($1)`, [migration.id]);
      },
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failure = error;
    await client.query('ROLLBACK').catch(() => {});
    throw translatePgError(error);
  } finally {
    client.removeListener('error', ignore);
    client.release(failure instanceof Error ? failure : undefined);
  }
}
