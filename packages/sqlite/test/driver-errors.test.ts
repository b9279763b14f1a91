import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreUnavailableError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStores, type SqliteStoreBundle } from '../src/index.js';
import { contextFor, makeTask, makeTempDir, PUBLIC_HOOK_BASE } from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('sqlite driver errors become typed store errors', () => {
  let dir: string;
  let cleanup: () => void;
  let filename: string;
  const tenant = 'tenant-secret-name';
  const ctx = contextFor(tenant, 'owner-secret-name');

  beforeEach(async () => {
    ({ dir, cleanup } = makeTempDir());
    filename = join(dir, 'errors.db');
    const setup = createSqliteStores({ filename });
    await setup.migrate();
    await setup.taskStore.save(makeTask('existing'), ctx);
    await setup.close();
  });

  afterEach(() => cleanup());

  it('a write lock held past the busy timeout is StoreUnavailableError (SQLITE_BUSY), and nothing is written', async () => {
    const holder = new Database(filename);
    // busyTimeoutMs 0: fail at once instead of waiting, so the test needs no timing.
    const stores: SqliteStoreBundle = createSqliteStores({ filename }, { busyTimeoutMs: 0 });
    try {
      holder.exec('BEGIN IMMEDIATE');
      const calls = [
        stores.taskStore.save(makeTask('blocked'), ctx),
        stores.taskStore.saveIfVersion(makeTask('blocked'), ctx, null),
        stores.taskStore.delete('existing', ctx),
        stores.pushNotificationStore.save('existing', ctx, {
          id: 'c1',
          url: `${PUBLIC_HOOK_BASE}/hook`,
          token: '',
          tenant: '',
          taskId: 'existing',
          authentication: undefined,
        }),
        stores.migrate(),
      ];
      // Handlers attached to all at once: awaited one by one, a call rejecting before its turn
      // would be an unhandled rejection that fails the whole run.
      const errors = await Promise.all(calls.map((call) => rejection(call)));
      for (const error of errors) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
        // Driver messages never carry the bound values.
        expect(error.message).not.toContain(tenant);
      }
      // WAL: readers are not blocked by the writer.
      expect((await stores.taskStore.load('existing', ctx))?.id).toBe('existing');
      holder.exec('ROLLBACK');
      expect(await stores.taskStore.load('blocked', ctx)).toBeUndefined();
      expect(await stores.pushNotificationStore.load('existing', ctx)).toEqual([]);
      // Once the lock is released the same stores write normally.
      await stores.taskStore.save(makeTask('blocked'), ctx);
      expect((await stores.taskStore.load('blocked', ctx))?.id).toBe('blocked');
    } finally {
      holder.close();
      await stores.close();
    }
  });

  it('a read-only database is StoreUnavailableError (SQLITE_READONLY) on write', async () => {
    const readonly = new Database(filename, { readonly: true });
    const stores = createSqliteStores({ database: readonly });
    try {
      const error = await rejection(stores.taskStore.save(makeTask('nope'), ctx));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_READONLY/);
      expect(await stores.taskStore.load('nope', ctx)).toBeUndefined();
    } finally {
      await stores.close();
      readonly.close();
    }
  });

  it('a file that is not a database is StoreUnavailableError when opened', () => {
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a sqlite database, just some text '.repeat(200), {
      mode: 0o600,
    });
    const error = (() => {
      try {
        createSqliteStores({ filename: garbage });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected createSqliteStores to throw');
    })();
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error.cause as { code?: string }).code).toBe('SQLITE_NOTADB');
  });
});
