import { InvalidInputError, SchemaNotMigratedError } from '@a2a-stores/core';
import { callContext, listRequest, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, migrationLockName, mysqlMigrations, tableNames } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const ALL_IDS = mysqlMigrations(tableNames('x_')).map((m) => m.id);

let url: string;
let pool: Pool;
const prefixes: string[] = [];

function freshPrefix(): string {
  const prefix = randomPrefix();
  prefixes.push(prefix);
  return prefix;
}

async function tablesOf(prefix: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = DATABASE() AND table_name LIKE ?`,
    [`${prefix.replaceAll('_', '\\_')}%`],
  );
  return rows.map((row) => String(row.name)).sort();
}

async function ledgerOf(prefix: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id FROM ${tableNames(prefix).migrations} ORDER BY id`,
  );
  return rows.map((row) => String(row.id));
}

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  pool = createPool({ uri: url, connectionLimit: 4 });
});

afterAll(async () => {
  for (const prefix of prefixes) await dropTables(pool, prefix);
  await pool.end();
});

describe('migrate()', () => {
  it('creates the schema once and is idempotent', async () => {
    const prefix = freshPrefix();
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    const first = await stores.migrate();
    expect(first).toEqual({ applied: ALL_IDS, current: ALL_IDS });
    const second = await stores.migrate();
    expect(second).toEqual({ applied: [], current: ALL_IDS });
    expect(await tablesOf(prefix)).toEqual(
      [
        'leases',
        'messages',
        'migrations',
        'push_config_sets',
        'push_configs',
        'task_counts',
        'task_segments',
        'tasks',
      ]
        .map((s) => prefix + s)
        .sort(),
    );
    expect(await ledgerOf(prefix)).toEqual(ALL_IDS);
    // The named lock went back with the connection's release: nobody holds it.
    const [db] = await pool.query<RowDataPacket[]>('SELECT DATABASE() AS name');
    const [lock] = await pool.execute<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [
      migrationLockName(String(db[0]?.name), prefix),
    ]);
    expect(lock[0]?.holder).toBeNull();
  });

  it('applies each step exactly once when several pools migrate at the same time', async () => {
    const prefix = freshPrefix();
    const pools = Array.from({ length: 5 }, () => createPool({ uri: url, connectionLimit: 2 }));
    try {
      const results = await Promise.all(
        pools.map((p) => createMysqlStores({ pool: p }, { tablePrefix: prefix }).migrate()),
      );
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(ALL_IDS);
      for (const result of results) expect(result.current).toEqual(ALL_IDS);
      expect(await ledgerOf(prefix)).toEqual(ALL_IDS);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('recovers when a crash left a step applied but not recorded (DDL auto-commits)', async () => {
    const prefix = freshPrefix();
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    await stores.migrate();
    const t = tableNames(prefix);
    // The crash window: 0002's first table exists, its second does not, the ledger lacks 0002.
    await pool.query(`DROP TABLE ${t.pushConfigSets}`);
    await pool.query(`DELETE FROM ${t.migrations} WHERE id = '0002_push_configs'`);
    const fresh = createMysqlStores({ pool }, { tablePrefix: prefix });
    const scope = randomScope();
    const error = await fresh.taskStore.load('any', callContext(scope)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect((error as SchemaNotMigratedError).missing).toEqual(['0002_push_configs']);
    expect((error as Error).message).toContain('0002_push_configs');

    expect(await fresh.migrate()).toEqual({ applied: ['0002_push_configs'], current: ALL_IDS });
    expect(await tablesOf(prefix)).toContain(`${prefix}push_config_sets`);
    await fresh.taskStore.save(makeTask({ id: 'after-recovery' }), callContext(scope));
    expect((await fresh.taskStore.load('after-recovery', callContext(scope)))?.id).toBe(
      'after-recovery',
    );
  });

  it('keeps ledger ids a newer release recorded', async () => {
    const prefix = freshPrefix();
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    await stores.migrate();
    await pool.query(
      `INSERT INTO ${tableNames(prefix).migrations} (id, applied_at) VALUES ('9999_future', 0)`,
    );
    expect(await stores.migrate()).toEqual({ applied: [], current: [...ALL_IDS, '9999_future'] });
  });
});

describe('an unmigrated schema', () => {
  it('fails every call with SchemaNotMigratedError naming every missing step, and creates nothing', async () => {
    const prefix = freshPrefix();
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    const ctx = callContext(randomScope());
    const calls: Array<() => Promise<unknown>> = [
      () => stores.taskStore.load('t', ctx),
      () => stores.taskStore.save(makeTask({ id: 't' }), ctx),
      () => stores.taskStore.list(listRequest(), ctx),
      () => stores.taskStore.delete('t', ctx),
      () => stores.pushNotificationStore.load('t', ctx),
    ];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaNotMigratedError);
      expect((error as SchemaNotMigratedError).missing).toEqual(ALL_IDS);
    }
    expect(await tablesOf(prefix)).toEqual([]);
  });

  it('is noticed when tables vanish after the first check', async () => {
    const prefix = freshPrefix();
    const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
    await stores.migrate();
    const ctx = callContext(randomScope());
    await stores.taskStore.save(makeTask({ id: 'before-drop' }), ctx);
    await dropTables(pool, prefix);
    const error = await stores.taskStore.load('before-drop', ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect((error as SchemaNotMigratedError).missing).toEqual(ALL_IDS);
  });
});

describe('tablePrefix', () => {
  it.each([
    ['upper case', 'Agents_'],
    ['a quote', "a'b"],
    ['a backquote', 'a`b'],
    ['a dot', 'db.x_'],
    ['a space', 'a b'],
    ['a leading digit', '1abc'],
    ['too long', `p${'x'.repeat(48)}`],
    ['not a string', 42],
  ])('refuses %s with InvalidInputError before any SQL', (_label, prefix) => {
    expect(() => createMysqlStores({ pool }, { tablePrefix: prefix as string })).toThrow(
      InvalidInputError,
    );
  });

  it('keeps two prefixes in one database apart', async () => {
    const a = createMysqlStores({ pool }, { tablePrefix: freshPrefix() });
    const b = createMysqlStores({ pool }, { tablePrefix: freshPrefix() });
    await a.migrate();
    await b.migrate();
    const ctx = callContext(randomScope());
    await a.taskStore.save(makeTask({ id: 'only-in-a' }), ctx);
    expect(await a.taskStore.load('only-in-a', ctx)).toBeDefined();
    expect(await b.taskStore.load('only-in-a', ctx)).toBeUndefined();
  });

  it('derives a GET_LOCK name within the 64-character limit, distinct per database and prefix', () => {
    const name = migrationLockName('d'.repeat(64), 'p'.repeat(48));
    expect(name.length).toBeLessThanOrEqual(64);
    expect(migrationLockName('db', 'a_')).not.toBe(migrationLockName('db', 'b_'));
    expect(migrationLockName('db1', 'a_')).not.toBe(migrationLockName('db2', 'a_'));
  });
});
