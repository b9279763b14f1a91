// test/stores.test.ts: the shared suite on your stores, with a probe on the same pool.
import { runStoreConformance } from '@a2a-stores/core/conformance';
import { createPostgresStores } from '@a2a-stores/postgres';
import { postgresRawProbe } from '@a2a-stores/postgres/testing';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL });
const tables = { schema: 'agent_test', tablePrefix: 'a2a_' };
await createPostgresStores({ pool }, tables).migrate();

runStoreConformance({
  name: 'postgres',
  create: (options) => createPostgresStores({ pool }, { ...options, ...tables }),
  destroy: async () => {
    await pool.query('DROP SCHEMA agent_test CASCADE');
    await pool.end();
  },
  // Turns on the suite's corrupt-record and "nothing left behind" tests.
  probe: postgresRawProbe(pool, tables),
});
