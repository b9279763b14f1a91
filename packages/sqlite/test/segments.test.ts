import { join } from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import type { BackendListQuery, Scope, TaskRow } from '@a2a-stores/core';
import {
  encodedAppend,
  encodedTask,
  FIXTURE_LINEAGE,
  backendListQuery as listQuery,
  runTaskBackendAppendChecks,
} from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFor } from '../src/migrations.js';
import { INLINE_BASE_LIMIT } from '../src/segments.js';
import { SqliteSession } from '../src/session.js';
import { schemaNames } from '../src/sql.js';
import { SqliteTaskBackend } from '../src/task-backend.js';
import { makeTempDir } from './helpers.js';

const names = schemaNames('a2a_');
const WORKING = TaskState.TASK_STATE_WORKING;
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const scope: Scope = { tenant: 't', owner: 'alice' };

describe('sqlite task segments', () => {
  let cleanup: () => void;
  let db: Database.Database;
  let session: SqliteSession;
  let backend: SqliteTaskBackend;
  /** Every statement the connection runs, in order (better-sqlite3's `verbose` hook). */
  const executed: string[] = [];

  /** The seqs of a task's segment rows; seq 0 holds a big task's base, appends count from 1. */
  const segmentRows = (id: string) =>
    db.prepare(`SELECT seq FROM ${names.segments} WHERE task_id = ? ORDER BY seq`).pluck().all(id);
  const snapshot = () => ({
    tasks: db.prepare(`SELECT * FROM ${names.tasks} ORDER BY id`).all(),
    segments: db.prepare(`SELECT * FROM ${names.segments} ORDER BY task_id, seq`).all(),
    counts: db.prepare(`SELECT * FROM ${names.counts} ORDER BY context_id, state`).all(),
  });
  /** The statements `run` executes (the statement cache is warmed by the previous calls). */
  async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
    executed.length = 0;
    await run();
    return executed.splice(0);
  }

  beforeEach(() => {
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    db = new Database(join(temp.dir, 'segments.db'), {
      verbose: (sql) => executed.push(String(sql)),
    });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    session = new SqliteSession(db, names, false);
    session.migrate(1);
    backend = new SqliteTaskBackend(session);
  });

  afterEach(async () => {
    await session.close();
    db.close();
    cleanup();
  });

  runTaskBackendAppendChecks('sqlite', {
    backend: () => backend,
    storedSegments: async (where, id) => {
      const rows = db
        .prepare<[string, string, string], { seq: number; body: string; artifacts: string }>(
          `SELECT seq, body, artifacts FROM ${names.segments}
           WHERE tenant = ? AND owner = ? AND task_id = ? AND seq > 0 ORDER BY seq`,
        )
        .all(where.tenant, where.owner, id);
      // Appends number their rows from 1 without a gap: reads find them by the row's count.
      expect(rows.map((row) => row.seq)).toEqual(rows.map((_, i) => i + 1));
      return rows.map(({ body, artifacts }) => ({ body, artifacts }));
    },
  });

  it('reads a task without segments in one statement', async () => {
    await backend.put(scope, encodedTask('a'), null, 1);
    await backend.get(scope, 'a', true);
    const statements = await statementsOf(async () => {
      expect((await backend.get(scope, 'a', true))?.segments).toBeUndefined();
    });
    expect(statements).toHaveLength(1);
  });

  it('issues no segment delete on a full write of a task without segments', async () => {
    await backend.put(scope, encodedTask('a'), null, 1);
    await backend.put(scope, encodedTask('a'), 1, 2);
    const statements = await statementsOf(() => backend.put(scope, encodedTask('a'), 2, 3));
    expect(statements.some((sql) => sql.includes(names.segments))).toBe(false);
  });

  it('changes no row of any table on a conflicting or stale append', async () => {
    await backend.put(scope, encodedTask('a'), null, 1);
    await backend.append(scope, encodedAppend('a', 1), 1, 2);
    await backend.put(scope, encodedTask('done', { state: COMPLETED }), null, 3);
    const before = snapshot();
    expect(await backend.append(scope, encodedAppend('a', 2), 1, 9)).toEqual({
      status: 'conflict',
    });
    expect(await backend.append(scope, encodedAppend('a', 2), 3, 9)).toEqual({
      status: 'conflict',
    });
    // The right version of another full write (the task deleted and created again, say).
    const other = encodedAppend('a', 2, { lineage: 'lineage-other' });
    expect(await backend.append(scope, other, 2, 9)).toEqual({ status: 'conflict' });
    expect(await backend.append(scope, encodedAppend('missing', 1), 1, 9)).toEqual({
      status: 'conflict',
    });
    expect(await backend.append(scope, encodedAppend('done', 1), 1, 9)).toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(snapshot()).toEqual(before);
  });

  it('drops the count row of a context an append moved the last task out of', async () => {
    await backend.put(scope, encodedTask('a'), null, 1);
    await backend.put(scope, encodedTask('b', { contextId: 'other' }), null, 1);
    const moved = encodedAppend('a', 1, { contextId: 'moved', state: COMPLETED });
    await backend.append(scope, moved, 1, 2);
    const total = async (fields: Partial<BackendListQuery>) =>
      (await backend.list(scope, listQuery(fields))).total;
    expect(await total({ contextId: 'ctx-1' })).toBe(0);
    expect(await total({ contextId: 'moved', state: COMPLETED })).toBe(1);
    expect(await total({ contextId: 'other', state: WORKING })).toBe(1);
    const rows = db.prepare(`SELECT context_id, state, n FROM ${names.counts}`).all();
    expect(rows).not.toContainEqual(expect.objectContaining({ context_id: 'ctx-1' }));
  });

  it('deletes and purges a task with its segments, a big base with them', async () => {
    for (const id of ['a', 'b', 'c']) {
      await backend.put(scope, encodedTask(id, { state: COMPLETED }), null, 1);
      await backend.append(scope, encodedAppend(id, 1, { state: COMPLETED }), 1, 2);
    }
    const big = encodedTask('big', { body: 'x'.repeat(INLINE_BASE_LIMIT) });
    await backend.put(scope, big, null, 1);
    await backend.append(scope, encodedAppend('big', 1), 1, 2);
    expect(await backend.delete(scope, 'a')).toBe(true);
    expect(await backend.delete(scope, 'big')).toBe(true);
    expect(segmentRows('a')).toEqual([]);
    expect(segmentRows('big')).toEqual([]);
    const batches: number[] = [];
    const purged = await backend.purge({
      olderThan: 10,
      states: [COMPLETED],
      batchSize: 1,
      scope: undefined,
      onBatch: (n) => batches.push(n),
    });
    expect(purged).toBe(2);
    expect(batches).toEqual([1, 1, 0]);
    expect(snapshot()).toEqual({ tasks: [], segments: [], counts: [] });
  });

  it('attaches segments in one extra query, whatever rows of the page have them', async () => {
    await backend.put(scope, encodedTask('a', { sortKey: 3 }), null, 1);
    await backend.put(scope, encodedTask('b', { sortKey: 2 }), null, 1);
    await backend.put(scope, encodedTask('c', { sortKey: 1 }), null, 1);
    await backend.append(scope, encodedAppend('a', 1, { sortKey: 3 }), 1, 2);
    await backend.append(scope, encodedAppend('a', 2, { sortKey: 3 }), 2, 2);
    await backend.append(scope, encodedAppend('c', 1, { sortKey: 1 }), 1, 2);
    await backend.list(scope, listQuery());
    const plain = await statementsOf(() => backend.list(scope, listQuery({ state: COMPLETED })));
    let page: TaskRow[] = [];
    const segmented = await statementsOf(async () => {
      page = [...(await backend.list(scope, listQuery())).rows];
    });
    expect(segmented.length).toBe(plain.length + 1);
    expect(page.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(page[0]?.segments).toEqual([
      { body: '{"n":1}', artifacts: '[1]' },
      { body: '{"n":2}', artifacts: '[2]' },
    ]);
    expect(page[1]?.segments).toBeUndefined();
    expect(page[2]?.segments).toEqual([{ body: '{"n":1}', artifacts: '[1]' }]);
    const lean = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(lean.rows[0]?.segments).toEqual([{ body: '{"n":1}' }, { body: '{"n":2}' }]);
    expect(lean.rows[0]?.artifacts).toBeUndefined();
  });

  it('keeps a big task base out of its row, so an append never rewrites it', async () => {
    const body = `{"text":"${'x'.repeat(INLINE_BASE_LIMIT)}"}`;
    const artifacts = `[{"text":"${'y'.repeat(100)}"}]`;
    await backend.put(scope, encodedTask('big', { body, artifacts }), null, 1);
    const stored = () =>
      db
        .prepare(`SELECT length(body) + length(artifacts) AS size FROM ${names.tasks} WHERE id = ?`)
        .pluck()
        .get('big');
    expect(stored()).toBe(0);
    expect(segmentRows('big')).toEqual([0]);
    await backend.append(scope, encodedAppend('big', 1), 1, 2);
    const statements = await statementsOf(() =>
      backend.append(scope, encodedAppend('big', 2), 2, 3),
    );
    expect(statements.some((sql) => /\bbody\b/.test(sql) && !sql.includes('INSERT'))).toBe(false);
    const row = (await backend.get(scope, 'big', true)) as TaskRow;
    expect(row).toMatchObject({ body, artifacts, version: 3, bytes: 102 });
    expect(row.segments).toHaveLength(2);
    const page = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(page.rows[0]).toMatchObject({ body, artifacts: undefined });
    expect(page.rows[0]?.segments).toHaveLength(2);
    // A small full write brings the base back into the row and drops every segment.
    await backend.put(scope, encodedTask('big'), 3, 4);
    expect(segmentRows('big')).toEqual([]);
    expect(await backend.get(scope, 'big', false)).toMatchObject({ body: encodedTask('big').body });
  });
});

describe('sqlite task segments migration', () => {
  it('upgrades a database with tasks: rows read with no segments and bytes 0, then take appends', async () => {
    const db = new Database(':memory:');
    const all = migrationsFor(names);
    const previous = all.slice(
      0,
      all.findIndex((m) => m.id === '0004_task_segments'),
    );
    expect(previous.at(-1)?.id).toBe('0003_coordination');
    db.exec(
      `CREATE TABLE ${names.ledger} (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`,
    );
    for (const migration of previous) {
      for (const statement of migration.statements) db.exec(statement);
      db.prepare(`INSERT INTO ${names.ledger} (id, applied_at) VALUES (?, 1)`).run(migration.id);
    }
    db.prepare(
      `INSERT INTO ${names.tasks} (tenant, owner, id, context_id, state, sort_key, version,
        updated_at, body, artifacts) VALUES ('t', 'alice', 'old', 'ctx', ?, 5, 7, 1, '{"old":1}', '[1]')`,
    ).run(WORKING);
    const session = new SqliteSession(db, names, false);
    try {
      expect(session.migrate(2).applied).toEqual(['0004_task_segments', '0005_task_recent']);
      const backend = new SqliteTaskBackend(session);
      expect(await backend.get(scope, 'old', true)).toEqual({
        id: 'old',
        body: '{"old":1}',
        artifacts: '[1]',
        version: 7,
        sortKey: 5,
        bytes: 0,
      });
      expect(
        db
          .prepare(`SELECT segment_count, base_in_segments, bytes, lineage FROM ${names.tasks}`)
          .get(),
      ).toEqual({ segment_count: 0, base_in_segments: 0, bytes: 0, lineage: '' });
      // No lineage, so no append: core saves such a row whole once, then appends.
      expect(await backend.append(scope, encodedAppend('old', 1), 7, 3)).toEqual({
        status: 'conflict',
      });
      expect(await backend.put(scope, encodedTask('old'), 7, 3)).toEqual({
        status: 'written',
        version: 8,
      });
      expect(await backend.append(scope, encodedAppend('old', 1), 8, 4)).toEqual({
        status: 'written',
        version: 9,
      });
      expect(await backend.get(scope, 'old', false)).toMatchObject({
        lineage: FIXTURE_LINEAGE,
        segments: [{ body: '{"n":1}' }],
      });
    } finally {
      await session.close();
      db.close();
    }
  });
});
