import { createPostgresStores } from '@a2a-stores/postgres';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { BackendSubjects } from './backend-subjects.js';
import { freshBenchDatabase } from './bench-database.js';
import { KMS_SETTINGS, kmsSubjects } from './kms-subjects.js';
import { migratePostgresFloor, PostgresFloorTaskStore } from './postgres-floor.js';
import {
  migratePostgresGuardedFloor,
  PostgresGuardedFloorTaskStore,
} from './postgres-guarded-floor.js';
import { benchPushUrlCheck } from './push-url-check.js';
import { migrateSdkTables, sdkDatabaseStores } from './sdk-database.js';
import { slices } from './seed-slices.js';

/** Every subject gets its own pool of this size, so none wins by having more connections. */
const POOL_SIZE = 4;

/** The durability settings the server runs with; a run with fsync off is refused. */
async function serverSettings(pool: pg.Pool): Promise<string> {
  const names = ['fsync', 'synchronous_commit', 'full_page_writes', 'server_version'];
  const values: string[] = [];
  for (const name of names) {
    const result = await pool.query<Record<string, string>>(`SHOW ${name}`);
    values.push(`${name}=${Object.values(result.rows[0] ?? {})[0]}`);
  }
  if (!values.includes('fsync=on') || !values.includes('synchronous_commit=on')) {
    throw new Error(
      `PostgreSQL must run with fsync and synchronous_commit on: ${values.join(', ')}`,
    );
  }
  return values.join(', ');
}

/** This run's database on the server of `url` (see `freshBenchDatabase`). */
function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const asAdmin = async (statement: string, values: unknown[] = []) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      return (await admin.query<Record<string, string>>(statement, values)).rows;
    } finally {
      await admin.end();
    }
  };
  return freshBenchDatabase(url, {
    namesLike: async (like) =>
      (await asAdmin('SELECT datname FROM pg_database WHERE datname LIKE $1', [like])).map(
        (row) => row.datname!,
      ),
    drop: async (name) => {
      await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    create: async (name) => {
      await asAdmin(`CREATE DATABASE ${name}`);
    },
  });
}

/** The PostgreSQL subjects, each with its own pool and tables in one fresh database. */
export async function postgresSubjects(): Promise<BackendSubjects> {
  const backend = await resolveTestBackend('postgres');
  const { url, drop } = await freshDatabase(backend.url);
  await migrateSdkTables(url);
  const newPool = () => new pg.Pool({ connectionString: url, max: POOL_SIZE });

  const floorPool = newPool();
  await migratePostgresFloor(floorPool);
  const settings = `local service, ${await serverSettings(floorPool)}, pool of ${POOL_SIZE} per subject (the KMS subjects use their inner adapter's); ${KMS_SETTINGS}`;

  const guardedPool = newPool();
  await migratePostgresGuardedFloor(guardedPool);

  const oursPool = newPool();
  const ours = createPostgresStores({ pool: oursPool }, { pushUrlCheck: benchPushUrlCheck() });
  await ours.migrate();
  // The same adapter in pooler mode 'transaction', on a direct connection to the same server:
  // prices the mode itself (the function calls of loads and lists sent unnamed), not a pooler's
  // hop.
  const pooledPool = newPool();
  const pooled = createPostgresStores(
    { pool: pooledPool },
    { pushUrlCheck: benchPushUrlCheck(), pooler: 'transaction' },
  );
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: newPool() }) });
  const sdk = sdkDatabaseStores(kysely);
  return {
    settings,
    cleanup: drop,
    subjects: [
      {
        name: 'raw pg (floor)',
        role: 'floor',
        taskStore: new PostgresFloorTaskStore(floorPool),
        close: () => floorPool.end(),
      },
      {
        name: 'raw pg + guarantees',
        role: 'guarded-floor',
        taskStore: new PostgresGuardedFloorTaskStore(guardedPool),
        close: () => guardedPool.end(),
      },
      {
        name: '@a2a-stores/postgres',
        role: 'adapter',
        taskStore: ours.taskStore,
        pushStore: ours.pushNotificationStore,
        // One transaction per pooled connection, all of them at once.
        seedBatch: async (tasks, context) => {
          await Promise.all(
            slices(tasks, POOL_SIZE).map(async (slice) => {
              const client = await oursPool.connect();
              try {
                const bound = ours.withClient(client);
                await client.query('BEGIN');
                for (const task of slice) await bound.taskStore.save(task, context);
                await client.query('COMMIT');
              } catch (error) {
                await client.query('ROLLBACK');
                throw error;
              } finally {
                client.release();
              }
            }),
          );
        },
        close: async () => {
          await ours.close();
          await oursPool.end();
          await backend.stop();
        },
      },
      {
        name: '@a2a-stores/postgres (pooler: transaction)',
        role: 'variant',
        variantOf: '@a2a-stores/postgres',
        taskStore: pooled.taskStore,
        pushStore: pooled.pushNotificationStore,
        close: async () => {
          await pooled.close();
          await pooledPool.end();
        },
      },
      {
        name: 'sdk DatabaseTaskStore',
        role: 'sdk',
        taskStore: sdk.taskStore,
        pushStore: sdk.pushStore,
        close: () => kysely.destroy(),
      },
      ...kmsSubjects({ name: '@a2a-stores/postgres', ...ours }, 'postgres'),
    ],
  };
}
