import { join } from 'node:path';
import { runStoreConformance, type StoreHarness } from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { createSqliteStores } from '../src/index.js';
import { sqliteRawProbe } from '../src/testing/index.js';
import { makeTempDir } from './helpers.js';

/**
 * A file database: every test opens (and closes) its own connection to the shared file, as
 * separate workers would; the probe reads through one more connection.
 */
async function fileHarness(): Promise<StoreHarness> {
  const { dir, cleanup } = makeTempDir();
  const filename = join(dir, 'conformance.db');
  const setup = createSqliteStores({ filename });
  await setup.migrate();
  await setup.close();
  const probeDb = new Database(filename);
  return {
    name: 'sqlite (file)',
    create: (options) => createSqliteStores({ filename }, options),
    destroy: async () => {
      probeDb.close();
      cleanup();
    },
    probe: sqliteRawProbe(probeDb),
  };
}

/** An in-memory database the test owns and passes in: stores must leave it open on close. */
async function memoryHarness(): Promise<StoreHarness> {
  const db = new Database(':memory:');
  await createSqliteStores({ database: db }).migrate();
  return {
    name: 'sqlite (memory)',
    create: (options) => createSqliteStores({ database: db }, options),
    destroy: async () => {
      db.close();
    },
    probe: sqliteRawProbe(db),
  };
}

runStoreConformance(await fileHarness());
runStoreConformance(await memoryHarness());
