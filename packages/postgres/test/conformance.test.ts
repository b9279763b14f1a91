import { runStoreConformance } from '@a2a-stores/core/conformance';
import { createPostgresStores } from '../src/index.js';
import { postgresRawProbe } from '../src/testing/index.js';
import { dropSchema, randomSchema, testPool } from './support.js';

// One pool and one migrated schema for the whole suite: every test makes its own random scope.
const pool = await testPool(8);
const schema = randomSchema('conformance');
await createPostgresStores({ pool }, { schema }).migrate();

runStoreConformance({
  name: 'postgres',
  create: (options) => createPostgresStores({ pool }, { ...options, schema }),
  destroy: async () => {
    await dropSchema(pool, schema);
    await pool.end();
  },
  probe: postgresRawProbe(pool, { schema }),
});
