import { join } from 'node:path';
import { InvalidInputError } from '@a2a-stores/core';
import { runRawProbeGroup } from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { sqliteRawProbe } from '../src/testing/index.js';
import { makeTempDir } from './helpers.js';

// The conformance suite runs the probe on the default prefix; here, on a prefix of its own,
// through a second connection to the file.
const { dir, cleanup } = makeTempDir();
const filename = join(dir, 'probe.db');
await createSqliteStores({ filename }, { tablePrefix: 'probe_' }).migrate();
const probeDb = new Database(filename);

runRawProbeGroup({
  name: 'sqlite (file, prefix probe_)',
  create: (options) => createSqliteStores({ filename }, { ...options, tablePrefix: 'probe_' }),
  destroy: async () => {
    probeDb.close();
    cleanup();
  },
  probe: sqliteRawProbe(probeDb, { tablePrefix: 'probe_' }),
});

it('sqliteRawProbe refuses a prefix the stores would refuse, before touching the database', () => {
  const database = new Database(':memory:');
  expect(() => sqliteRawProbe(database, { tablePrefix: 'x"; DROP TABLE probe_tasks; --' })).toThrow(
    InvalidInputError,
  );
  database.close();
});
