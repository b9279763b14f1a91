import { InvalidInputError } from '@a2a-stores/core';
import { runRawProbeGroup } from '@a2a-stores/core/conformance';
import { expect, it } from 'vitest';
import { createPostgresStores } from '../src/index.js';
import { postgresRawProbe } from '../src/testing/index.js';
import { dropSchema, randomSchema, testPool } from './support.js';

// The conformance suite runs the probe on a schema with the default prefix; here, with a
// prefix of its own too.
const pool = await testPool();
const names = { schema: randomSchema('probe'), tablePrefix: 'probe_' };
await createPostgresStores({ pool }, names).migrate();

runRawProbeGroup({
  name: 'postgres (prefix probe_)',
  create: (options) => createPostgresStores({ pool }, { ...options, ...names }),
  destroy: async () => {
    await dropSchema(pool, names.schema);
    await pool.end();
  },
  probe: postgresRawProbe(pool, names),
});

it('postgresRawProbe refuses a schema or prefix the stores would refuse, before any query', () => {
  expect(() => postgresRawProbe(pool, { schema: 'pg_catalog' })).toThrow(InvalidInputError);
  expect(() => postgresRawProbe(pool, { tablePrefix: 'x"; --' })).toThrow(InvalidInputError);
});
