import { randomBytes } from 'node:crypto';
import { StoreConfigurationError, StoreUnavailableError } from '@a2a-stores/core';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores, tableNames } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const PASSWORD = 'right-pw-never-printed';
const WRONG = 'wrong-pw-never-printed';
const user = `a2a_nopriv_${randomBytes(4).toString('hex')}`;
const prefix = randomPrefix();
let admin: Pool;
let baseUrl: string;

/** The test server's URL as `user` with `password`, on `database`. */
function urlFor(password: string, database: string): string {
  const url = new URL(baseUrl);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

async function failureOf(
  url: string,
  work: (stores: MysqlStores) => Promise<unknown>,
): Promise<unknown> {
  const stores = createMysqlStores({ uri: url }, { tablePrefix: prefix });
  try {
    await work(stores);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await stores.close();
  }
}

function expectConfiguration(error: unknown, problem: string, errno: number): void {
  expect(error).toBeInstanceOf(StoreConfigurationError);
  expect(error).not.toBeInstanceOf(StoreUnavailableError);
  const typed = error as StoreConfigurationError;
  expect(typed.problem).toBe(problem);
  expect(typed.message).toContain(`errno ${errno}`);
  expect(typed.message).not.toContain(PASSWORD);
  expect(typed.message).not.toContain(WRONG);
}

beforeAll(async () => {
  baseUrl = (await resolveTestBackend('mysql')).url;
  admin = createPool({ uri: baseUrl, connectionLimit: 2 });
  await createMysqlStores({ pool: admin }, { tablePrefix: prefix }).migrate();
  const database = new URL(baseUrl).pathname.slice(1);
  await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  // The ledger only: the schema check passes, the task table is then refused.
  await admin.query(
    `GRANT SELECT ON \`${database}\`.${tableNames(prefix).migrations} TO '${user}'@'%'`,
  );
});

afterAll(async () => {
  await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await dropTables(admin, prefix);
  await admin.end();
});

describe('configuration errors are typed, not retryable, and say what is wrong', () => {
  it('a wrong password is an authentication problem', async () => {
    const error = await failureOf(urlFor(WRONG, 'test'), (s) => s.migrate());
    expectConfiguration(error, 'authentication', 1045);
    expect((error as Error).message).toMatch(/authentication failed/);
  });

  it('an unknown database is a missing-database problem', async () => {
    const error = await failureOf(urlFor(PASSWORD, `${user}_nodb`), (s) =>
      s.taskStore.load('t1', callContext(randomScope())),
    );
    // MariaDB answers 1044 (no access) for a database the user has no grant on, existing or
    // not; as root an unknown database is 1049.
    expect(error).toBeInstanceOf(StoreConfigurationError);
    const asRoot = new URL(baseUrl);
    asRoot.pathname = `/${user}_nodb`;
    const rootError = await failureOf(asRoot.toString(), (s) => s.migrate());
    expectConfiguration(rootError, 'missing-database', 1049);
    expect((rootError as Error).message).toMatch(/database .* does not exist/);
  });

  it('a user without privileges on the tables is a missing-privilege problem', async () => {
    const error = await failureOf(urlFor(PASSWORD, 'test'), (s) =>
      s.taskStore.load('t1', callContext(randomScope())),
    );
    expectConfiguration(error, 'missing-privilege', 1142);
  });

  it('a user without privileges that migrates is a missing-privilege problem', async () => {
    const error = await failureOf(urlFor(PASSWORD, 'test'), (s) => s.migrate());
    expect(error).toBeInstanceOf(StoreConfigurationError);
    expect((error as StoreConfigurationError).problem).toBe('missing-privilege');
  });
});
