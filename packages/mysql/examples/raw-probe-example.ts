// test/stores.test.ts: the shared suite on your stores, with a probe on the same pool.
import { runStoreConformance } from '@a2a-stores/core/conformance';
import { createMysqlStores } from '@a2a-stores/mysql';
import { mysqlRawProbe } from '@a2a-stores/mysql/testing';
import { createPool } from 'mysql2/promise';

const pool = createPool({ uri: process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1/test' });
const tables = { tablePrefix: 'agent_test_' };
await createMysqlStores({ pool }, tables).migrate();

runStoreConformance({
  name: 'mysql',
  create: (options) => createMysqlStores({ pool }, { ...options, ...tables }),
  destroy: () => pool.end(),
  // Turns on the suite's corrupt-record and "nothing left behind" tests.
  probe: mysqlRawProbe(pool, tables),
});
