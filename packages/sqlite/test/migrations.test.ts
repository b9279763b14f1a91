import { join } from 'node:path';
import { SchemaNotMigratedError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStores, type SqliteStoreBundle, sqliteMigrations } from '../src/index.js';
import { contextFor, listRequest, makeTask, makeTempDir, PUBLIC_HOOK_BASE } from './helpers.js';

const ALL_IDS = sqliteMigrations().map((m) => m.id);

function schemaObjects(db: Database.Database): string[] {
  return (
    db
      .prepare(`SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
      .pluck()
      .all() as string[]
  ).sort();
}

describe('sqlite migrations', () => {
  let db: Database.Database;
  const opened: SqliteStoreBundle[] = [];

  function stores(options: Parameters<typeof createSqliteStores>[1] = {}): SqliteStoreBundle {
    const bundle = createSqliteStores({ database: db }, options);
    opened.push(bundle);
    return bundle;
  }

  beforeEach(() => {
    db = new Database(':memory:');
  });

  afterEach(async () => {
    for (const bundle of opened.splice(0)) await bundle.close();
    db.close();
  });

  it('creates no schema until migrate() runs', async () => {
    const bundle = stores();
    const ctx = contextFor('t', 'u');
    await expect(bundle.taskStore.load('x', ctx)).rejects.toBeInstanceOf(SchemaNotMigratedError);
    expect(schemaObjects(db)).toEqual([]);
  });

  it('refuses every operation on an unmigrated database, naming the missing migrations', async () => {
    const { taskStore, pushNotificationStore } = stores();
    const ctx = contextFor('t', 'u');
    const calls: Array<() => Promise<unknown>> = [
      () => taskStore.load('x', ctx),
      () => taskStore.save(makeTask('x'), ctx),
      () => taskStore.saveIfVersion(makeTask('x'), ctx, null),
      () => taskStore.delete('x', ctx),
      () => taskStore.list(listRequest(), ctx),
      () => taskStore.purge({ olderThan: new Date() }),
      () =>
        pushNotificationStore.save('x', ctx, {
          id: 'c',
          url: PUBLIC_HOOK_BASE,
          token: '',
          tenant: '',
          taskId: 'x',
          authentication: undefined,
        }),
      () => pushNotificationStore.load('x', ctx),
      () => pushNotificationStore.delete('x', ctx, 'c'),
      () => pushNotificationStore.deleteAll('x', ctx),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SchemaNotMigratedError);
      expect((error as SchemaNotMigratedError).missing).toEqual(ALL_IDS);
      expect((error as Error).message).toContain(ALL_IDS[0]);
    }
    expect(schemaObjects(db)).toEqual([]);
  });

  it('records every step in the ledger and creates the tables and indexes', async () => {
    const bundle = stores();
    const result = await bundle.migrate();
    expect(result).toEqual({ applied: ALL_IDS, current: ALL_IDS });
    const ledger = db
      .prepare('SELECT id, applied_at FROM a2a_migrations ORDER BY id')
      .all() as Array<{
      id: string;
      applied_at: number;
    }>;
    expect(ledger.map((row) => row.id)).toEqual(ALL_IDS);
    expect(ledger.every((row) => Number.isInteger(row.applied_at) && row.applied_at > 0)).toBe(
      true,
    );
    expect(schemaObjects(db)).toEqual(
      [
        'a2a_leases',
        'a2a_leases_by_expiry',
        'a2a_messages',
        'a2a_messages_by_age',
        'a2a_migrations',
        'a2a_push_configs',
        'a2a_push_configs_order',
        'a2a_tasks',
        'a2a_tasks_by_context',
        'a2a_tasks_by_state',
        'a2a_tasks_by_time',
        'a2a_tasks_purge',
        'a2a_task_counts',
        'a2a_task_segments',
      ].sort(),
    );
  });

  it('is idempotent', async () => {
    const bundle = stores();
    await bundle.migrate();
    const before = schemaObjects(db);
    expect(await bundle.migrate()).toEqual({ applied: [], current: ALL_IDS });
    expect(await stores().migrate()).toEqual({ applied: [], current: ALL_IDS });
    expect(schemaObjects(db)).toEqual(before);
    expect(db.prepare('SELECT COUNT(*) FROM a2a_migrations').pluck().get()).toBe(ALL_IDS.length);
  });

  it('lets a store that failed the check work once migrate() has run elsewhere', async () => {
    const early = stores();
    const ctx = contextFor('t', 'u');
    await expect(early.taskStore.load('x', ctx)).rejects.toBeInstanceOf(SchemaNotMigratedError);
    await stores().migrate();
    await early.taskStore.save(makeTask('x'), ctx);
    expect((await early.taskStore.load('x', ctx))?.id).toBe('x');
  });

  it('reports a schema whose ledger lacks a step as not migrated', async () => {
    await stores().migrate();
    db.prepare('DELETE FROM a2a_migrations WHERE id = ?').run(ALL_IDS[ALL_IDS.length - 1]);
    const error = await stores()
      .taskStore.load('x', contextFor('t', 'u'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect((error as SchemaNotMigratedError).missing).toEqual([ALL_IDS[ALL_IDS.length - 1]]);
  });

  it('keeps stores with different table prefixes apart in one database', async () => {
    const first = stores({ tablePrefix: 'first_' });
    const second = stores({ tablePrefix: 'second_' });
    await first.migrate();
    const ctx = contextFor('t', 'u');
    await expect(second.taskStore.load('x', ctx)).rejects.toBeInstanceOf(SchemaNotMigratedError);
    await second.migrate();
    await first.taskStore.save(makeTask('x'), ctx);
    expect(await second.taskStore.load('x', ctx)).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) FROM first_tasks').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM second_tasks').pluck().get()).toBe(0);
  });
});

describe('sqlite migrations on one file from two connections', () => {
  it('applies each step once; the second connection finds the ledger complete', async () => {
    const { dir, cleanup } = makeTempDir();
    const filename = join(dir, 'two.db');
    const a = createSqliteStores({ filename });
    const b = createSqliteStores({ filename });
    try {
      expect((await a.migrate()).applied).toEqual(ALL_IDS);
      expect(await b.migrate()).toEqual({ applied: [], current: ALL_IDS });
      const ctx = contextFor('t', 'u');
      await a.taskStore.save(makeTask('shared'), ctx);
      expect((await b.taskStore.load('shared', ctx))?.id).toBe('shared');
    } finally {
      await a.close();
      await b.close();
      cleanup();
    }
  });
});
