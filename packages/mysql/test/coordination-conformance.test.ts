import {
  type ClusterHarness,
  runClusterConformance,
  runCoordinationBackendConformance,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { createMysqlCoordination, createMysqlStores } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

/**
 * A random prefix per suite (sweeps claim any expired lease of their tables); every `create()`
 * is another worker with its own small pool, as a separate process would have.
 */
function mysqlHarness(name: string): ClusterHarness {
  const prefix = randomPrefix();
  let shared: Promise<{ pool: Pool; url: string }> | undefined;
  const ready = () => {
    shared ??= (async () => {
      const { url } = await resolveTestBackend('mysql');
      const pool = createPool({ uri: url, connectionLimit: 4 });
      await createMysqlStores({ pool }, { tablePrefix: prefix }).migrate();
      return { pool, url };
    })();
    return shared;
  };
  return {
    name,
    create: async () => {
      const { url } = await ready();
      return createMysqlCoordination(
        { uri: url, poolOptions: { connectionLimit: 3 } },
        { tablePrefix: prefix, pollIntervalMs: 10 },
      );
    },
    createTaskStore: async () => {
      const { pool } = await ready();
      return createMysqlStores({ pool }, { tablePrefix: prefix }).taskStore;
    },
    destroy: async () => {
      if (!shared) return;
      const { pool } = await shared;
      await dropTables(pool, prefix);
      await pool.end();
    },
  };
}

runCoordinationBackendConformance(mysqlHarness('mysql-polling'));
runClusterConformance(mysqlHarness('mysql-polling cluster'));
