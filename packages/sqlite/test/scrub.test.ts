import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { contextFor, makeTask, makeTempDir } from './helpers.js';

// Issue #17 item 8: overwritten or deleted content must be removable from the database file and
// its WAL, and the way to do it must be checked by scanning their bytes.

/** How many times `needle` occurs in the database file and its -wal, as raw bytes. */
function copiesOnDisk(filename: string, needle: string): number {
  let copies = 0;
  for (const path of [filename, `${filename}-wal`]) {
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) copies++;
  }
  return copies;
}

describe('sqlite: no old copies left on disk', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function tempFile(): string {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    return join(dir, 'a2a.db');
  }

  /** Saves tasks holding `secret`, then overwrites every one without it (as sealing does). */
  async function writeThenOverwrite(stores: ReturnType<typeof createSqliteStores>, secret: string) {
    const ctx = contextFor('acme', 'alice');
    const ids = Array.from({ length: 40 }, (_, i) => `t-${i}`);
    for (const id of ids) await stores.taskStore.save(makeTask(id, { text: secret }), ctx);
    for (const id of ids) await stores.taskStore.save(makeTask(id, { text: 'sealed' }), ctx);
    return { ctx, ids };
  }

  it('scrub() removes overwritten content from the file and the WAL', async () => {
    const filename = tempFile();
    const stores = createSqliteStores({ filename });
    await stores.migrate();
    const secret = `PLAINTEXT-${randomUUID()}`;
    const { ctx, ids } = await writeThenOverwrite(stores, secret);
    // What the review found: the overwritten plaintext is still on disk.
    expect(copiesOnDisk(filename, secret)).toBeGreaterThan(0);
    await stores.scrub();
    expect(copiesOnDisk(filename, secret)).toBe(0);
    expect(existsSync(`${filename}-wal`) ? readFileSync(`${filename}-wal`).length : 0).toBe(0);
    for (const id of ids) {
      const task = await stores.taskStore.load(id, ctx);
      expect(JSON.stringify(task)).toContain('sealed');
    }
    await stores.close();
    await expect(stores.scrub()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });

  it('secureDelete zeroes deleted rows as they are freed', async () => {
    for (const secureDelete of [false, true]) {
      const filename = tempFile();
      const stores = createSqliteStores({ filename }, { secureDelete });
      await stores.migrate();
      expect(stores.database.pragma('secure_delete', { simple: true })).toBe(secureDelete ? 1 : 0);
      const secret = `DELETED-${randomUUID()}`;
      const ctx = contextFor('acme', 'alice');
      await stores.taskStore.save(makeTask('gone', { text: secret }), ctx);
      await stores.taskStore.delete('gone', ctx);
      stores.database.pragma('wal_checkpoint(TRUNCATE)');
      const copies = copiesOnDisk(filename, secret);
      if (secureDelete) expect(copies).toBe(0);
      else expect(copies, 'without secureDelete the deleted row stays').toBeGreaterThan(0);
      await stores.close();
    }
  });

  it('secureDelete is validated and only for a file the stores open', () => {
    const database = new Database(':memory:');
    cleanups.push(() => database.close());
    expect(() => createSqliteStores({ database }, { secureDelete: true })).toThrow(TypeError);
    expect(() =>
      createSqliteStores({ filename: tempFile() }, { secureDelete: 'yes' as never }),
    ).toThrow(TypeError);
  });
});
