import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const prefix = randomPrefix();
let pool: Pool;
let url: string;

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  pool = createPool({ uri: url, connectionLimit: 2 });
});

afterAll(async () => {
  await dropTables(pool, prefix);
  await pool.end();
});

describe('health()', () => {
  it('reports pending migrations before migrate() and healthy after, with a latency', async () => {
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    const before = await stores.health();
    expect(before).toMatchObject({ healthy: false, reachable: true, schemaCurrent: false });
    expect(before.pendingMigrations.length).toBeGreaterThan(0);
    await stores.migrate();
    const after = await stores.health();
    expect(after).toMatchObject({ healthy: true, reachable: true, schemaCurrent: true });
    expect(after.latencyMs).toBeGreaterThanOrEqual(0);
    await stores.close();
    expect((await stores.health()).problem?.code).toBe('STORE_CLOSED');
  });

  it('never throws for a misconfigured server: the problem is in the result', async () => {
    const wrong = new URL(url);
    wrong.pathname = `/${prefix}nodb`;
    const stores = createMysqlStores({ uri: wrong.toString() });
    try {
      const health = await stores.health();
      expect(health).toMatchObject({ healthy: false, reachable: false });
      expect(health.problem?.code).toBe('STORE_CONFIGURATION');
    } finally {
      await stores.close();
    }
  });
});
