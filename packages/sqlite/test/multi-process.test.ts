import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStores, sqliteMigrations } from '../src/index.js';
import { assertBuilt, runTogether, startWorker } from './fork-worker.js';
import { contextFor, listRequest, makeTempDir } from './helpers.js';

describe('two OS processes on one SQLite file', () => {
  const cleanups: Array<() => void> = [];

  beforeAll(assertBuilt);

  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('migrating at the same time applies each step exactly once', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const filename = join(dir, 'migrate.db');
    const ids = sqliteMigrations().map((m) => m.id);
    const results = await runTogether(
      startWorker(['migrate', filename, 'a']),
      startWorker(['migrate', filename, 'b']),
    );
    const applied = results.map((r) => r.result!.applied);
    expect(applied.flat()).toEqual(ids);
    expect(results.map((r) => r.result!.current)).toEqual([ids, ids]);
    const db = new Database(filename, { readonly: true });
    expect(db.prepare('SELECT id FROM a2a_migrations ORDER BY id').pluck().all()).toEqual(ids);
    db.close();
  });

  it('loses no write: 2 x 300 tasks all present, a CAS counter bumped 2 x 200 times ends at 400', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const filename = join(dir, 'shared.db');
    const stores = createSqliteStores({ filename });
    try {
      await stores.migrate();
      const [a, b] = await runTogether(
        startWorker(['work', filename, 'a', '300', '200']),
        startWorker(['work', filename, 'b', '300', '200']),
      );
      expect([a.saved, b.saved]).toEqual([300, 300]);
      expect([a.incremented, b.incremented]).toEqual([200, 200]);

      const ctx = contextFor('multi-process', 'writer');
      const seen = new Set<string>();
      let pageToken = '';
      let totalSize = 0;
      do {
        const page = await stores.taskStore.list(listRequest({ pageSize: 100, pageToken }), ctx);
        for (const task of page.tasks) seen.add(task.id);
        totalSize = page.totalSize;
        pageToken = page.nextPageToken;
      } while (pageToken);
      const expected = ['counter'];
      for (let i = 0; i < 300; i++) expected.push(`a-${i}`, `b-${i}`);
      expect([...seen].sort()).toEqual(expected.sort());
      expect(totalSize).toBe(601);

      const counter = await stores.taskStore.loadVersioned('counter', ctx);
      expect(counter?.task.metadata?.count).toBe(400);
      expect(counter?.version).toBe(400);
    } finally {
      await stores.close();
    }
  });
});
