import { freePort } from '@a2a-stores/test-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const schema = randomSchema('health');
let pool: pg.Pool;

beforeAll(async () => {
  pool = await testPool(2);
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describe('health()', () => {
  it('reports pending migrations before migrate() and healthy after, with a latency', async () => {
    const stores = storesOn(pool, { schema });
    const before = await stores.health();
    expect(before).toMatchObject({ healthy: false, reachable: true, schemaCurrent: false });
    expect(before.pendingMigrations.length).toBeGreaterThan(0);
    expect(before.problem?.code).toBe('SCHEMA_NOT_MIGRATED');
    await stores.migrate();
    const after = await stores.health();
    expect(after).toMatchObject({ healthy: true, reachable: true, schemaCurrent: true });
    expect(after.pendingMigrations).toEqual([]);
    expect(after.latencyMs).toBeGreaterThanOrEqual(0);
    expect(after.problem).toBeUndefined();
  });

  it('never throws for an unreachable server or after close()', async () => {
    const port = await freePort();
    const stores = createPostgresStores({
      connectionString: `postgres://nobody:pw@127.0.0.1:${port}/test`,
    });
    const down = await stores.health();
    expect(down).toMatchObject({ healthy: false, reachable: false });
    expect(down.problem?.code).toBe('STORE_UNAVAILABLE');
    await stores.close();
    expect((await stores.health()).problem?.code).toBe('STORE_CLOSED');
  });
});
