import { randomBytes } from 'node:crypto';
import { deferredProbe, type StoreHarness } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
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

/** One test file's pool on the test server (see {@link mysqlTestPool}). */
export interface MysqlTestPool {
  /** Open from the file's first `beforeAll` to its last `afterAll`. */
  readonly pool: Pool;
  /** A table prefix of this file's own; its tables are dropped in `afterAll`. */
  prefix(): string;
  /** Migrates the tables of `prefix` (one of {@link prefix}'s) on the pool. */
  migrate(prefix: string): Promise<void>;
}

/**
 * Opens a pool in `beforeAll` and, in `afterAll`, drops the tables of every prefix it handed out
 * and closes the pool. Call it at the top of a test file, before the file's own hooks: those then
 * run with the pool open (Vitest runs `beforeAll` hooks in order, `afterAll` hooks in reverse).
 */
export function mysqlTestPool(): MysqlTestPool {
  let open: Pool | undefined;
  const prefixes: string[] = [];
  beforeAll(async () => {
    open = createPool({ uri: (await resolveTestBackend('mysql')).url, connectionLimit: 4 });
  });
  afterAll(async () => {
    if (!open) return;
    for (const prefix of prefixes) await dropTables(open, prefix);
    await open.end();
  });
  const handle: MysqlTestPool = {
    get pool(): Pool {
      if (!open) throw new Error('mysqlTestPool: the pool opens in beforeAll');
      return open;
    },
    prefix() {
      const prefix = randomPrefix();
      prefixes.push(prefix);
      return prefix;
    },
    async migrate(prefix) {
      await createMysqlStores({ pool: handle.pool }, { tablePrefix: prefix }).migrate();
    },
  };
  return handle;
}
