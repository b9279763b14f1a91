import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores, DATABASE_FILE_MODE } from '../src/index.js';
import { contextFor, makeTask, makeTempDir } from './helpers.js';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('sqlite database files', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function tempFile(name: string): string {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    return join(dir, name);
  }

  it('creates the database, -wal and -shm files readable by the owner only', async () => {
    const filename = tempFile('private.db');
    // A permissive umask must not widen the modes.
    const previous = process.umask(0);
    let stores: ReturnType<typeof createSqliteStores>;
    try {
      stores = createSqliteStores({ filename });
    } finally {
      process.umask(previous);
    }
    try {
      await stores.migrate();
      await stores.taskStore.save(makeTask('t1'), contextFor('t', 'u'));
      expect(DATABASE_FILE_MODE).toBe(0o600);
      expect(modeOf(filename)).toBe(0o600);
      expect(modeOf(`${filename}-wal`)).toBe(0o600);
      expect(modeOf(`${filename}-shm`)).toBe(0o600);
    } finally {
      await stores.close();
    }
  });

  it('keeps the -wal and -shm files private when a second connection recreates them', async () => {
    const filename = tempFile('reopen.db');
    const first = createSqliteStores({ filename });
    await first.migrate();
    await first.close();
    const previous = process.umask(0);
    let second: ReturnType<typeof createSqliteStores>;
    try {
      second = createSqliteStores({ filename });
    } finally {
      process.umask(previous);
    }
    try {
      await second.taskStore.save(makeTask('t1'), contextFor('t', 'u'));
      for (const path of [filename, `${filename}-wal`, `${filename}-shm`])
        expect(modeOf(path)).toBe(0o600);
    } finally {
      await second.close();
    }
  });

  it('tightens a leftover -wal file that is wider than its private database file', async () => {
    const filename = tempFile('leftover.db');
    writeFileSync(filename, '', { mode: 0o600 });
    writeFileSync(`${filename}-wal`, '', { mode: 0o644 });
    expect(modeOf(`${filename}-wal`)).toBe(0o644);
    const stores = createSqliteStores({ filename });
    try {
      expect(modeOf(`${filename}-wal`)).toBe(0o600);
      await stores.migrate();
      expect(modeOf(`${filename}-wal`)).toBe(0o600);
    } finally {
      await stores.close();
    }
  });

  it('creates missing parent folders owner-only, so ./data/a2a.db works on a fresh checkout', async () => {
    const base = tempFile('fresh');
    const filename = join(base, 'nested', 'a2a.db');
    const previous = process.umask(0);
    let stores: ReturnType<typeof createSqliteStores>;
    try {
      stores = createSqliteStores({ filename });
    } finally {
      process.umask(previous);
    }
    try {
      await stores.migrate();
      await stores.taskStore.save(makeTask('t1'), contextFor('t', 'u'));
      expect(modeOf(base)).toBe(0o700);
      expect(modeOf(join(base, 'nested'))).toBe(0o700);
      expect(modeOf(filename)).toBe(0o600);
    } finally {
      await stores.close();
    }
  });

  it('leaves the mode of an existing parent folder as the operator set it', async () => {
    const base = tempFile('shared');
    mkdirSync(base, { mode: 0o750 });
    chmodSync(base, 0o750);
    const stores = createSqliteStores({ filename: join(base, 'a2a.db') });
    try {
      await stores.migrate();
      expect(modeOf(base)).toBe(0o750);
    } finally {
      await stores.close();
    }
  });

  it('leaves the mode of an existing database file as the operator set it', async () => {
    const filename = tempFile('existing.db');
    writeFileSync(filename, '', { mode: 0o640 });
    const stores = createSqliteStores({ filename });
    try {
      await stores.migrate();
      expect(modeOf(filename)).toBe(0o640);
    } finally {
      await stores.close();
    }
  });

  it('opens files in WAL mode with synchronous=FULL and the busy timeout asked for', async () => {
    const filename = tempFile('pragmas.db');
    const stores = createSqliteStores({ filename }, { busyTimeoutMs: 1234 });
    try {
      const db = stores.database;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 is FULL: the WAL is synced at every commit, so an acknowledged write survives power loss.
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      await stores.close();
    }
  });

  it('uses the default busy timeout of 5 seconds', async () => {
    const stores = createSqliteStores({ filename: tempFile('default.db') });
    try {
      expect(stores.database.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      await stores.close();
    }
  });
});
