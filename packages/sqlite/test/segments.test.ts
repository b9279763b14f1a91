import { join } from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import type {
  BackendListQuery,
  EncodedTask,
  EncodedTaskAppend,
  Scope,
  TaskRow,
} from '@a2a-stores/core';
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

function encoded(id: string, fields: Partial<EncodedTask> = {}): EncodedTask {
  const body = fields.body ?? `{"id":"${id}"}`;
  const artifacts = fields.artifacts ?? '[]';
  return {
    id,
    contextId: 'ctx',
    state: WORKING,
    sortKey: 1_000,
    body,
    artifacts,
    bytes: Buffer.byteLength(body) + Buffer.byteLength(artifacts),
    lineage: `L-${id}`,
    ...fields,
  };
}

function appended(id: string, n: number, fields: Partial<EncodedTaskAppend> = {}) {
  return {
    id,
    contextId: 'ctx',
    state: WORKING,
    sortKey: 1_000 + n,
    segment: { body: `{"chunk":${n}}`, artifacts: n % 2 === 0 ? '' : `[{"part":${n}}]` },
    bytes: 100 + n,
    lineage: `L-${id}`,
    ...fields,
  } satisfies EncodedTaskAppend;
}

function listQuery(fields: Partial<BackendListQuery> = {}): BackendListQuery {
  return {
    contextId: '',
    state: 0,
    after: null,
    cursor: null,
    limit: 50,
    includeArtifacts: true,
    ...fields,
  };
}

describe('sqlite task segments', () => {
  let cleanup: () => void;
  let db: Database.Database;
  let session: SqliteSession;
  let backend: SqliteTaskBackend;
  /** Every statement the connection runs, in order (better-sqlite3's `verbose` hook). */
  const executed: string[] = [];

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

  it('returns appended segments in order, with bytes and artifacts only when asked', async () => {
    expect(await backend.put(scope, encoded('a'), null, 1)).toEqual({
      status: 'written',
      version: 1,
    });
    for (let n = 1; n <= 3; n++) {
      expect(await backend.append(scope, appended('a', n), n, 1 + n)).toEqual({
        status: 'written',
        version: n + 1,
      });
    }
    const full = (await backend.get(scope, 'a', true)) as TaskRow;
    expect(full).toMatchObject({ id: 'a', version: 4, sortKey: 1_003, bytes: 103, lineage: 'L-a' });
    expect(full.body).toBe('{"id":"a"}');
    expect(full.artifacts).toBe('[]');
    expect(full.segments).toEqual([
      { body: '{"chunk":1}', artifacts: '[{"part":1}]' },
      { body: '{"chunk":2}', artifacts: '' },
      { body: '{"chunk":3}', artifacts: '[{"part":3}]' },
    ]);
    const lean = (await backend.get(scope, 'a', false)) as TaskRow;
    expect(lean.artifacts).toBeUndefined();
    expect(lean.segments).toEqual([
      { body: '{"chunk":1}' },
      { body: '{"chunk":2}' },
      { body: '{"chunk":3}' },
    ]);
  });

  it('reads a task without segments in one statement, and returns its bytes', async () => {
    await backend.put(scope, encoded('a'), null, 1);
    await backend.get(scope, 'a', true);
    const statements = await statementsOf(async () => {
      expect(await backend.get(scope, 'a', true)).toEqual({
        id: 'a',
        body: '{"id":"a"}',
        artifacts: '[]',
        version: 1,
        sortKey: 1_000,
        bytes: 12,
        lineage: 'L-a',
      });
    });
    expect(statements).toHaveLength(1);
  });

  it('drops every segment on a full write, in the same write', async () => {
    await backend.put(scope, encoded('a'), null, 1);
    await backend.append(scope, appended('a', 1), 1, 2);
    await backend.append(scope, appended('a', 2), 2, 3);
    expect(segmentRows('a')).toEqual([1, 2]);
    expect(await backend.put(scope, encoded('a', { body: '{"v":2}' }), 3, 4)).toEqual({
      status: 'written',
      version: 4,
    });
    expect(segmentRows('a')).toEqual([]);
    const row = (await backend.get(scope, 'a', true)) as TaskRow;
    expect(row.segments).toBeUndefined();
    expect(row.body).toBe('{"v":2}');
    // Appends start over after the full write.
    await backend.append(scope, appended('a', 9), 4, 5);
    expect(segmentRows('a')).toEqual([1]);
  });

  it('issues no segment delete on a full write of a task without segments', async () => {
    await backend.put(scope, encoded('a'), null, 1);
    await backend.put(scope, encoded('a'), 1, 2);
    const statements = await statementsOf(() => backend.put(scope, encoded('a'), 2, 3));
    expect(statements.some((sql) => sql.includes(names.segments))).toBe(false);
  });

  it('changes nothing on a conflicting or stale append', async () => {
    await backend.put(scope, encoded('a'), null, 1);
    await backend.append(scope, appended('a', 1), 1, 2);
    await backend.put(scope, encoded('done', { state: COMPLETED }), null, 3);
    const before = snapshot();
    expect(await backend.append(scope, appended('a', 2), 1, 9)).toEqual({ status: 'conflict' });
    expect(await backend.append(scope, appended('a', 2), 3, 9)).toEqual({ status: 'conflict' });
    // The right version of another full write (the task deleted and created again, say).
    expect(await backend.append(scope, appended('a', 2, { lineage: 'L-other' }), 2, 9)).toEqual({
      status: 'conflict',
    });
    expect(await backend.append(scope, appended('missing', 1), 1, 9)).toEqual({
      status: 'conflict',
    });
    expect(await backend.append(scope, appended('done', 1, { state: WORKING }), 1, 9)).toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(snapshot()).toEqual(before);
    // The same state is no transition: a terminal task takes a final append.
    expect(await backend.append(scope, appended('done', 1, { state: COMPLETED }), 1, 9)).toEqual({
      status: 'written',
      version: 2,
    });
  });

  it('keeps list totals exact when appends change state and context', async () => {
    await backend.put(scope, encoded('a'), null, 1);
    await backend.put(scope, encoded('b', { contextId: 'other' }), null, 1);
    await backend.append(scope, appended('a', 1, { contextId: 'moved', state: COMPLETED }), 1, 2);
    const total = async (fields: Partial<BackendListQuery>) =>
      (await backend.list(scope, listQuery(fields))).total;
    expect(await total({})).toBe(2);
    expect(await total({ state: WORKING })).toBe(1);
    expect(await total({ state: COMPLETED })).toBe(1);
    expect(await total({ contextId: 'ctx' })).toBe(0);
    expect(await total({ contextId: 'moved' })).toBe(1);
    expect(await total({ contextId: 'other' })).toBe(1);
    expect(await total({ contextId: 'moved', state: COMPLETED })).toBe(1);
    const rows = db.prepare(`SELECT context_id, state, n FROM ${names.counts}`).all();
    expect(rows).not.toContainEqual(expect.objectContaining({ context_id: 'ctx' }));
  });

  it('deletes and purges a task with its segments', async () => {
    for (const id of ['a', 'b', 'c']) {
      await backend.put(scope, encoded(id, { state: COMPLETED }), null, 1);
      await backend.append(scope, appended(id, 1, { state: COMPLETED }), 1, 2);
    }
    await backend.put(scope, encoded('big', { body: 'x'.repeat(INLINE_BASE_LIMIT) }), null, 1);
    await backend.append(scope, appended('big', 1), 1, 2);
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

  it('attaches segments only to the rows that have them, in one extra query', async () => {
    await backend.put(scope, encoded('a', { sortKey: 3 }), null, 1);
    await backend.put(scope, encoded('b', { sortKey: 2 }), null, 1);
    await backend.put(scope, encoded('c', { sortKey: 1 }), null, 1);
    await backend.append(scope, appended('a', 1, { sortKey: 3 }), 1, 2);
    await backend.append(scope, appended('a', 2, { sortKey: 3 }), 2, 2);
    await backend.append(scope, appended('c', 1, { sortKey: 1 }), 1, 2);
    await backend.list(scope, listQuery());
    const plain = await statementsOf(() => backend.list(scope, listQuery({ state: COMPLETED })));
    let page: TaskRow[] = [];
    const segmented = await statementsOf(async () => {
      page = [...(await backend.list(scope, listQuery())).rows];
    });
    expect(segmented.length).toBe(plain.length + 1);
    expect(page.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(page[0]?.segments).toEqual([
      { body: '{"chunk":1}', artifacts: '[{"part":1}]' },
      { body: '{"chunk":2}', artifacts: '' },
    ]);
    expect(page[1]?.segments).toBeUndefined();
    expect(page[2]?.segments).toEqual([{ body: '{"chunk":1}', artifacts: '[{"part":1}]' }]);
    const lean = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(lean.rows[0]?.segments).toEqual([{ body: '{"chunk":1}' }, { body: '{"chunk":2}' }]);
    expect(lean.rows[0]?.artifacts).toBeUndefined();
  });

  it('keeps a big task base out of its row, so an append never rewrites it', async () => {
    const body = `{"text":"${'x'.repeat(INLINE_BASE_LIMIT)}"}`;
    const artifacts = `[{"text":"${'y'.repeat(100)}"}]`;
    await backend.put(scope, encoded('big', { body, artifacts }), null, 1);
    const stored = () =>
      db
        .prepare(`SELECT length(body) + length(artifacts) AS size FROM ${names.tasks} WHERE id = ?`)
        .pluck()
        .get('big');
    expect(stored()).toBe(0);
    expect(segmentRows('big')).toEqual([0]);
    await backend.append(scope, appended('big', 1), 1, 2);
    const statements = await statementsOf(() => backend.append(scope, appended('big', 2), 2, 3));
    expect(statements.some((sql) => /\bbody\b/.test(sql) && !sql.includes('INSERT'))).toBe(false);
    const row = (await backend.get(scope, 'big', true)) as TaskRow;
    expect(row).toMatchObject({ body, artifacts, version: 3, bytes: 102 });
    expect(row.segments).toHaveLength(2);
    const page = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(page.rows[0]).toMatchObject({ body, artifacts: undefined });
    expect(page.rows[0]?.segments).toHaveLength(2);
    // A small full write brings the base back into the row and drops every segment.
    await backend.put(scope, encoded('big'), 3, 4);
    expect(segmentRows('big')).toEqual([]);
    expect(await backend.get(scope, 'big', false)).toMatchObject({ body: '{"id":"big"}' });
  });
});

describe('sqlite task segments migration', () => {
  it('upgrades a database with tasks: rows read with no segments and bytes 0, then take appends', async () => {
    const db = new Database(':memory:');
    const all = migrationsFor(names);
    const previous = all.filter((m) => m.id !== '0004_task_segments');
    expect(all.at(-1)?.id).toBe('0004_task_segments');
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
      expect(session.migrate(2).applied).toEqual(['0004_task_segments']);
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
      expect(await backend.append(scope, appended('old', 1), 7, 3)).toEqual({ status: 'conflict' });
      expect(await backend.put(scope, encoded('old'), 7, 3)).toEqual({
        status: 'written',
        version: 8,
      });
      expect(await backend.append(scope, appended('old', 1), 8, 4)).toEqual({
        status: 'written',
        version: 9,
      });
      expect(await backend.get(scope, 'old', false)).toMatchObject({
        lineage: 'L-old',
        segments: [{ body: '{"chunk":1}' }],
      });
    } finally {
      await session.close();
      db.close();
    }
  });
});
