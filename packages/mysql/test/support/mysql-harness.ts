import { randomBytes } from 'node:crypto';
import { deferredProbe, type StoreHarness } from '@a2a-stores/core/conformance';
import { createPool, type Pool } from 'mysql2/promise';
import { createMysqlStores } from '../../src/index.js';
import { dropMysqlTables, mysqlRawProbe } from '../../src/testing/index.js';

/** A table prefix no other test file uses, so files share one database without wipes. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}_`;
}

/** Drops every table of `prefix` (afterAll of each test file). */
export async function dropTables(pool: Pool, prefix: string): Promise<void> {
  await dropMysqlTables(pool, { tablePrefix: prefix });
}

/**
 * The conformance harness over one shared pool and one random prefix, migrated once. `url`
 * resolves lazily so a harness can be registered before its server is known.
 */
export function mysqlHarness(name: string, url: () => Promise<string>): StoreHarness {
  const prefix = randomPrefix();
  let ready: Promise<Pool> | undefined;
  const pool = (): Promise<Pool> => {
    ready ??= (async () => {
      const created = createPool({ uri: await url(), connectionLimit: 12 });
      await createMysqlStores({ pool: created }, { tablePrefix: prefix }).migrate();
      return created;
    })();
    return ready;
  };
  return {
    name,
    create: async (options) =>
      createMysqlStores({ pool: await pool() }, { ...options, tablePrefix: prefix }),
    destroy: async () => {
      if (!ready) return;
      const p = await ready;
      await dropTables(p, prefix);
      await p.end();
    },
    probe: deferredProbe(async () => mysqlRawProbe(await pool(), { tablePrefix: prefix })),
  };
}
