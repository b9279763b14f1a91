import { createPostgresStores } from '@a2a-stores/postgres';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Subject } from '../subject.js';
import { KMS_SETTINGS, kmsSubjects } from './kms-subjects.js';
import { migratePostgresFloor, PostgresFloorTaskStore } from './postgres-floor.js';
import { benchPushUrlCheck } from './push-url-check.js';
import { migrateSdkTables, sdkDatabaseStores } from './sdk-database.js';

const BENCH_DATABASE = 'a2a_stores_bench';
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

/** Recreates the bench's own database on the server of `url`, so every run starts empty. */
async function freshDatabase(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${BENCH_DATABASE}`;
  return target.toString();
}

/** The PostgreSQL subjects, each with its own pool and tables in one fresh database. */
export async function postgresSubjects(): Promise<{ subjects: Subject[]; settings: string }> {
  const backend = await resolveTestBackend('postgres');
  const url = await freshDatabase(backend.url);
  await migrateSdkTables(url);
  const newPool = () => new pg.Pool({ connectionString: url, max: POOL_SIZE });

  const floorPool = newPool();
  await migratePostgresFloor(floorPool);
  const settings = `local service, ${await serverSettings(floorPool)}, pool of ${POOL_SIZE} per subject (the KMS subjects use their inner adapter's); ${KMS_SETTINGS}`;

  const oursPool = newPool();
  const ours = createPostgresStores({ pool: oursPool }, { pushUrlCheck: benchPushUrlCheck() });
  await ours.migrate();
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: newPool() }) });
  const sdk = sdkDatabaseStores(kysely);
  return {
    settings,
    subjects: [
      {
        name: 'raw pg (floor)',
        role: 'floor',
        taskStore: new PostgresFloorTaskStore(floorPool),
        close: () => floorPool.end(),
      },
      {
        name: '@a2a-stores/postgres',
        role: 'adapter',
        taskStore: ours.taskStore,
        pushStore: ours.pushNotificationStore,
        close: async () => {
          await ours.close();
          await oursPool.end();
          await backend.stop();
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
