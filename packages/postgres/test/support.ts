import { randomBytes } from 'node:crypto';
import { conformancePushUrlCheck, silentLogger } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import {
  createPostgresStores,
  type PostgresStoreBundle,
  type PostgresStoreOptions,
} from '../src/index.js';

/** A schema name no other test file uses, so files never see each other's rows. */
export function randomSchema(label: string): string {
  return `a2a_test_${label}_${randomBytes(5).toString('hex')}`;
}

/** A small pool on the test database, with the idle-error listener every pool owner needs. */
export async function testPool(max = 4): Promise<pg.Pool> {
  const backend = await resolveTestBackend('postgres');
  const pool = new pg.Pool({ connectionString: backend.url, max });
  pool.on('error', () => {});
  return pool;
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Stores over `pool` with the suite's push URL check (no DNS needed) and no console output. */
export function storesOn(pool: pg.Pool, options: PostgresStoreOptions): PostgresStoreBundle {
  return createPostgresStores(
    { pool },
    { pushUrlCheck: conformancePushUrlCheck(), logger: silentLogger(), ...options },
  );
}
