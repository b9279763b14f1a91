import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createSqliteStores,
  type SqliteConnection,
  type SqliteStoreOptions,
} from '../src/index.js';
import { contextFor, listRequest, makeTask, makeTempDir } from './helpers.js';

describe('sqlite connection ownership', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('close() leaves a database you passed open and usable', async () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    const stores = createSqliteStores({ database: db });
    expect(stores.database).toBe(db);
    await stores.migrate();
    await stores.taskStore.save(makeTask('kept'), contextFor('t', 'u'));
    await stores.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT id FROM a2a_tasks').pluck().all()).toEqual(['kept']);
    // A new bundle on the same connection sees the data.
    const again = createSqliteStores({ database: db });
    expect((await again.taskStore.load('kept', contextFor('t', 'u')))?.id).toBe('kept');
    await again.close();
  });

  it('close() closes the database it opened from a filename, and is idempotent', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const stores = createSqliteStores({ filename: join(dir, 'owned.db') });
    await stores.migrate();
    expect(stores.database.open).toBe(true);
    await stores.close();
    expect(stores.database.open).toBe(false);
    await expect(stores.close()).resolves.toBeUndefined();
  });

  it('refuses every call after close() with StoreClosedError, on an owned or a passed database', async () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    const passed = createSqliteStores({ database: db });
    const owned = createSqliteStores({ filename: ':memory:' });
    for (const stores of [passed, owned]) {
      await stores.migrate();
      await stores.close();
      const ctx = contextFor('t', 'u');
      await expect(stores.taskStore.load('x', ctx)).rejects.toBeInstanceOf(StoreClosedError);
      await expect(stores.taskStore.save(makeTask('x'), ctx)).rejects.toBeInstanceOf(
        StoreClosedError,
      );
      await expect(stores.taskStore.list(listRequest(), ctx)).rejects.toBeInstanceOf(
        StoreClosedError,
      );
      await expect(stores.taskStore.purge({ olderThan: new Date() })).rejects.toBeInstanceOf(
        StoreClosedError,
      );
      await expect(stores.pushNotificationStore.load('x', ctx)).rejects.toBeInstanceOf(
        StoreClosedError,
      );
      await expect(stores.migrate()).rejects.toBeInstanceOf(StoreClosedError);
    }
    // Nothing was written through the closed bundle.
    expect(db.prepare('SELECT COUNT(*) FROM a2a_tasks').pluck().get()).toBe(0);
  });

  it('reports a database closed behind its back as StoreClosedError', async () => {
    const db = new Database(':memory:');
    const stores = createSqliteStores({ database: db });
    await stores.migrate();
    db.close();
    const ctx = contextFor('t', 'u');
    await expect(stores.taskStore.load('x', ctx)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(stores.pushNotificationStore.deleteAll('x', ctx)).rejects.toBeInstanceOf(
      StoreClosedError,
    );
    await stores.close();
  });

  it('works on an in-memory database it opens itself', async () => {
    const stores = createSqliteStores({ filename: ':memory:' });
    await stores.migrate();
    await stores.taskStore.save(makeTask('m'), contextFor('t', 'u'));
    expect((await stores.taskStore.load('m', contextFor('t', 'u')))?.id).toBe('m');
    await stores.close();
    expect(stores.database.open).toBe(false);
  });

  it('fails with StoreUnavailableError when the file cannot be opened', () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    // A missing folder is created (see file-modes.test.ts); a "folder" that is a file is not.
    const notAFolder = join(dir, 'not-a-folder');
    writeFileSync(notAFolder, '');
    const filename = join(notAFolder, 'a.db');
    expect(() => createSqliteStores({ filename })).toThrow(StoreUnavailableError);
    expect(existsSync(filename)).toBe(false);
  });
});

describe('sqlite option validation', () => {
  const db = new Database(':memory:');
  afterAll(() => db.close());

  const bad: Array<[string, SqliteConnection, SqliteStoreOptions?]> = [
    ['neither filename nor database', {} as SqliteConnection],
    [
      'both filename and database',
      { filename: 'x.db', database: db } as unknown as SqliteConnection,
    ],
    ['an empty filename', { filename: '' }],
    ['a filename with a NUL', { filename: 'a\u0000b.db' }],
    ['a database that is not better-sqlite3', { database: {} as Database.Database }],
    ['a negative busy timeout', { filename: ':memory:' }, { busyTimeoutMs: -1 }],
    ['a fractional busy timeout', { filename: ':memory:' }, { busyTimeoutMs: 1.5 }],
    ['a busy timeout with a passed database', { database: db }, { busyTimeoutMs: 100 }],
    ['a bad core option', { filename: ':memory:' }, { staleWrites: 'maybe' as 'throw' }],
    ['bad core limits', { filename: ':memory:' }, { limits: { maxTaskBytes: 0 } }],
  ];

  for (const [what, connection, options] of bad) {
    it(`refuses ${what} with a TypeError`, () => {
      expect(() => createSqliteStores(connection, options)).toThrow(TypeError);
    });
  }

  const badPrefixes = ['a"; DROP TABLE x; --', '1abc', 'Upper_', 'dotted.name', 'p'.repeat(33), 42];
  for (const tablePrefix of badPrefixes) {
    it(`refuses the table prefix ${JSON.stringify(tablePrefix)} with InvalidInputError`, () => {
      expect(() =>
        createSqliteStores({ filename: ':memory:' }, { tablePrefix: tablePrefix as string }),
      ).toThrow(InvalidInputError);
    });
  }

  it('refuses a database that is already closed', () => {
    const closed = new Database(':memory:');
    closed.close();
    expect(() => createSqliteStores({ database: closed })).toThrow(/closed/);
  });

  it('opens no file when an option is invalid', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const filename = join(dir, 'never.db');
      expect(() => createSqliteStores({ filename }, { tablePrefix: 'bad-prefix' })).toThrow(
        InvalidInputError,
      );
      expect(() =>
        createSqliteStores({ filename }, { anonymous: 'sometimes' as 'reject' }),
      ).toThrow(TypeError);
      expect(existsSync(filename)).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('accepts a custom prefix, and none at all', async () => {
    for (const tablePrefix of ['custom_1', '']) {
      const stores = createSqliteStores({ database: db }, { tablePrefix });
      await stores.migrate();
      expect(db.prepare(`SELECT COUNT(*) FROM "${tablePrefix}tasks"`).pluck().get()).toBe(0);
      await stores.close();
    }
  });
});
