import { join } from 'node:path';
import type { Message, Task } from '@a2a-js/sdk';
import { CorruptRecordError, InvalidInputError } from '@a2a-stores/core';
import { runRawProbeGroup } from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { sqliteRawProbe } from '../src/testing/index.js';
import { contextFor, makeTask, makeTempDir } from './helpers.js';

// The conformance suite runs the probe on the default prefix; here, on a prefix of its own,
// through a second connection to the file.
const { dir, cleanup } = makeTempDir();
const filename = join(dir, 'probe.db');
await createSqliteStores({ filename }, { tablePrefix: 'probe_' }).migrate();
const probeDb = new Database(filename);

runRawProbeGroup({
  name: 'sqlite (file, prefix probe_)',
  create: (options) => createSqliteStores({ filename }, { ...options, tablePrefix: 'probe_' }),
  destroy: async () => {
    probeDb.close();
    cleanup();
  },
  probe: sqliteRawProbe(probeDb, { tablePrefix: 'probe_' }),
});

it('sqliteRawProbe refuses a prefix the stores would refuse, before touching the database', () => {
  const database = new Database(':memory:');
  expect(() => sqliteRawProbe(database, { tablePrefix: 'x"; DROP TABLE probe_tasks; --' })).toThrow(
    InvalidInputError,
  );
  database.close();
});

it('sqliteRawProbe reads and corrupts a task whose base and appends are segment rows', async () => {
  const database = new Database(':memory:');
  const stores = createSqliteStores({ database });
  await stores.migrate();
  const ctx = contextFor('t', 'u');
  // Over the inline limit, so the base is segment 0; then a save that appends one message.
  await stores.taskStore.save(makeTask('big', { artifactText: 'a'.repeat(9000) }), ctx);
  const loaded = (await stores.taskStore.load('big', ctx)) as Task;
  const first = loaded.history[0] as Message;
  const secret = { content: { $case: 'text' as const, value: 'appended secret' } };
  loaded.history.push({ ...first, messageId: 'm2', parts: [{ ...first.parts[0]!, ...secret }] });
  await stores.taskStore.save(loaded, ctx);
  const seqs = database.prepare('SELECT seq FROM a2a_task_segments ORDER BY seq').pluck().all();
  expect(seqs).toEqual([0, 1]);

  const probe = sqliteRawProbe(database);
  const raw = await probe.readTaskRaw({ tenant: 't', owner: 'u' }, 'big');
  expect(raw).toContain('a'.repeat(9000));
  expect(raw).toContain('appended secret');
  await probe.corruptTask({ tenant: 't', owner: 'u' }, 'big');
  // The store that wrote the task serves its loads from what it holds while the row's version
  // and lineage are unchanged (the probe edits bytes behind it); a store that holds nothing,
  // as after a restart, reads the row and finds it corrupt.
  const other = createSqliteStores({ database });
  await expect(other.taskStore.load('big', ctx)).rejects.toBeInstanceOf(CorruptRecordError);
  await other.close();
  await stores.close();
  database.close();
});
