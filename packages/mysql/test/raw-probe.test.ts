import { InvalidInputError } from '@a2a-stores/core';
import { runRawProbeGroup } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool } from 'mysql2/promise';
import { expect, it } from 'vitest';
import { mysqlRawProbe } from '../src/testing/index.js';
import { mysqlHarness } from './support/mysql-harness.js';

// The probe the conformance harness uses (a random prefix of its own), checked on its own.
runRawProbeGroup(mysqlHarness('mysql', async () => (await resolveTestBackend('mysql')).url));

it('mysqlRawProbe refuses a prefix the stores would refuse, before any query', async () => {
  const pool = createPool({ uri: 'mysql://probe@127.0.0.1:1/never-connected' });
  try {
    expect(() => mysqlRawProbe(pool, { tablePrefix: 'x`; --' })).toThrow(InvalidInputError);
  } finally {
    await pool.end();
  }
});
