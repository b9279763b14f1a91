import { randomBytes } from 'node:crypto';
import { StoreConfigurationError, StoreUnavailableError } from '@a2a-stores/core';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const PASSWORD = 'hunter2-never-printed';
const role = `a2a_nopriv_${randomBytes(4).toString('hex')}`;
const schema = randomSchema('config');
let pool: pg.Pool;
let baseUrl: string;

/** The test database's URL with another user, password or database. */
function urlWith(change: { user?: string; database?: string }): string {
  const url = new URL(baseUrl);
  if (change.user) url.username = change.user;
  url.password = PASSWORD;
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}

/** What `work` rejects with, on stores opened from `url` (closed afterwards). */
async function failureOf(
  url: string,
  work: (stores: ReturnType<typeof createPostgresStores>) => Promise<unknown>,
  options: { schema?: string } = {},
): Promise<unknown> {
  const stores = createPostgresStores({ connectionString: url }, options);
  try {
    await work(stores);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await stores.close();
  }
}

function expectConfiguration(error: unknown, problem: string, state: string): void {
  expect(error).toBeInstanceOf(StoreConfigurationError);
  expect(error).not.toBeInstanceOf(StoreUnavailableError);
  const typed = error as StoreConfigurationError;
  expect(typed.problem).toBe(problem);
  expect(typed.message).toContain(`SQLSTATE ${state}`);
  expect(typed.message).not.toContain(PASSWORD);
}

beforeAll(async () => {
  baseUrl = (await resolveTestBackend('postgres')).url;
  pool = await testPool(2);
  await storesOn(pool, { schema }).migrate();
  // A user that may log in and nothing else: no privilege on the stores' schema or tables.
  await pool.query(`CREATE ROLE ${role} LOGIN`);
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.query(`DROP ROLE IF EXISTS ${role}`);
  await pool.end();
});

describe('configuration errors are typed, not retryable, and say what is wrong', () => {
  it('an unknown user is an authentication problem', async () => {
    const error = await failureOf(urlWith({ user: `${role}_missing` }), (s) => s.migrate());
    expectConfiguration(error, 'authentication', '28000');
    expect((error as Error).message).toMatch(/authentication failed/);
  });

  it('an unknown database is a missing-database problem', async () => {
    const error = await failureOf(urlWith({ database: `${role}_nodb` }), (s) => s.migrate());
    expectConfiguration(error, 'missing-database', '3D000');
    expect((error as Error).message).toMatch(/database .* does not exist/);
  });

  it('a user without privileges on the tables is a missing-privilege problem', async () => {
    const error = await failureOf(
      urlWith({ user: role }),
      (s) => s.taskStore.load('t1', callContext(randomScope())),
      { schema },
    );
    expectConfiguration(error, 'missing-privilege', '42501');
  });

  it('a user that may not create the schema cannot migrate: missing-privilege', async () => {
    const error = await failureOf(urlWith({ user: role }), (s) => s.migrate(), {
      schema: randomSchema('config_denied'),
    });
    expectConfiguration(error, 'missing-privilege', '42501');
  });
});
