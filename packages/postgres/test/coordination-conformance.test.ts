import {
  runClusterConformance,
  runCoordinationBackendConformance,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { createPostgresStores } from '../src/index.js';
import { coordinationOn } from './coordination-support.js';
import { dropSchema, randomSchema, testPool } from './support.js';

// Core's coordinator suites on the PostgreSQL transport. Each suite gets a schema of its own:
// sweeps claim every expired lease they find, and the cluster suite's recoveries must not meet
// the backend suite's expired leases. Every create() is another worker: a backend with its own
// LISTEN connection, on a pool the suite's workers share.

function harness(label: string) {
  const schema = randomSchema(label);
  let ready: Promise<pg.Pool> | undefined;
  const pool = () => {
    ready ??= (async () => {
      const opened = await testPool(10);
      await createPostgresStores({ pool: opened }, { schema }).migrate();
      return opened;
    })();
    return ready;
  };
  return {
    name: 'postgres',
    create: async () => coordinationOn(await pool(), schema),
    createTaskStore: async () => createPostgresStores({ pool: await pool() }, { schema }).taskStore,
    destroy: async () => {
      if (!ready) return;
      const opened = await ready;
      await dropSchema(opened, schema);
      await opened.end();
    },
  };
}

runCoordinationBackendConformance(harness('coord_conf'));
runClusterConformance(harness('cluster_conf'));
