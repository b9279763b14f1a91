// test/stores.test.ts: the shared suite on your stores, with a probe on the same database.
import { runStoreConformance } from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { sqliteRawProbe } from '@a2a-stores/sqlite/testing';
import Database from 'better-sqlite3';

const database = new Database(':memory:');
const tables = { tablePrefix: 'agent_' };
await createSqliteStores({ database }, tables).migrate();

runStoreConformance({
  name: 'sqlite',
  create: (options) => createSqliteStores({ database }, { ...options, ...tables }),
  destroy: async () => {
    database.close();
  },
  // Turns on the suite's corrupt-record and "nothing left behind" tests.
  probe: sqliteRawProbe(database, tables),
});
