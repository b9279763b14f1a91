import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { makeTempDir } from './helpers.js';

const temp = makeTempDir();
afterEach(() => temp.cleanup());

describe('health()', () => {
  it('reports pending migrations before migrate() and healthy after, with a latency', async () => {
    const stores = createSqliteStores({ filename: join(temp.dir, 'a2a.db') });
    const before = await stores.health();
    expect(before).toMatchObject({ healthy: false, reachable: true, schemaCurrent: false });
    expect(before.pendingMigrations.length).toBeGreaterThan(0);
    await stores.migrate();
    const after = await stores.health();
    expect(after).toMatchObject({ healthy: true, reachable: true, schemaCurrent: true });
    expect(after.pendingMigrations).toEqual([]);
    expect(after.latencyMs).toBeGreaterThanOrEqual(0);
    await stores.close();
    const closed = await stores.health();
    expect(closed).toMatchObject({ healthy: false, reachable: false });
    expect(closed.problem?.code).toBe('STORE_CLOSED');
  });
});
