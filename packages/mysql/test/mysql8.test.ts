import { runStoreConformance } from '@a2a-stores/core/conformance';
import {
  dockerEngineReachable,
  type Mysql8Container,
  startMysql8Container,
} from '@a2a-stores/test-backends';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { keyAndPlanSuite } from './support/key-and-plan-suite.js';
import { mysqlHarness } from './support/mysql-harness.js';
import { recentReadSuite } from './support/recent-read-suite.js';

/*
 * The same suite on MySQL 8 (the SDK's own store needs MySQL 8; ours must work on both).
 * Where it runs: A2A_STORES_MYSQL8_URL (a MySQL 8 you started), else a mysql:8.0 container
 * through testcontainers when a Docker engine is reachable. With neither, the file reports
 * "not run" with the reason, unless A2A_STORES_REQUIRE_MYSQL8=1 makes that a failure (CI).
 */
const explicitUrl = process.env.A2A_STORES_MYSQL8_URL;
const required = process.env.A2A_STORES_REQUIRE_MYSQL8 === '1';
const NOT_RUN_REASON =
  'not run: no Docker engine reachable and A2A_STORES_MYSQL8_URL unset (set A2A_STORES_REQUIRE_MYSQL8=1 to make this a failure)';

if (explicitUrl || dockerEngineReachable()) {
  let container: Promise<Mysql8Container> | undefined;
  const url = async (): Promise<string> => {
    if (explicitUrl) return explicitUrl;
    container ??= startMysql8Container();
    return (await container).url;
  };
  afterAll(async () => {
    if (container !== undefined) await (await container).stop();
  });

  describe('MySQL 8 server', () => {
    it('is MySQL 8.0 or later, not MariaDB', async () => {
      const pool = createPool({ uri: await url(), connectionLimit: 1 });
      try {
        const [rows] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS version');
        const version = String(rows[0]?.version);
        expect(version).not.toMatch(/mariadb/i);
        expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(8);
      } finally {
        await pool.end();
      }
    });
  });
  runStoreConformance(mysqlHarness('MySQL 8', url));
  keyAndPlanSuite('MySQL 8: keys and list plans', url);
  recentReadSuite('MySQL 8: list with a short history', url);
} else if (required) {
  it('MySQL 8 suite', () => {
    throw new Error(
      'A2A_STORES_REQUIRE_MYSQL8=1, but no Docker engine is reachable and A2A_STORES_MYSQL8_URL is unset',
    );
  });
} else {
  console.warn(`[@a2a-stores/mysql] MySQL 8 suite ${NOT_RUN_REASON}`);
  it.skip(`MySQL 8 suite ${NOT_RUN_REASON}`, () => {});
}
