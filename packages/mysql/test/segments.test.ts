import { type BackendListQuery, StoreUnavailableError } from '@a2a-stores/core';
import { randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMysqlStores, tableNames } from '../src/index.js';
import type { MysqlTaskBackend } from '../src/task-backend.js';
import { mysqlRawProbe } from '../src/testing/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';
import {
  appendOf,
  backendOf,
  COMPLETED,
  fullTask,
  storedCounts,
  storedSegments,
  WORKING,
} from './support/segment-fixtures.js';

const prefix = randomPrefix();
let pool: Pool;
let backend: MysqlTaskBackend;

beforeAll(async () => {
  pool = createPool({ uri: (await resolveTestBackend('mysql')).url, connectionLimit: 4 });
  await createMysqlStores({ pool }, { tablePrefix: prefix }).migrate();
  backend = backendOf(pool, prefix);
});

afterAll(async () => {
  await dropTables(pool, prefix);
  await pool.end();
});

function listQuery(overrides: Partial<BackendListQuery> = {}): BackendListQuery {
  return {
    contextId: '',
    state: 0,
    after: null,
    cursor: null,
    limit: 50,
    includeArtifacts: true,
    ...overrides,
  };
}

describe('append', () => {
  it('stores segments that get returns in order, with bytes, artifacts only when asked', async () => {
    const scope = randomScope();
    const task = fullTask();
    expect(await backend.put(scope, task, null, 1)).toEqual({ status: 'written', version: 1 });
    expect((await backend.get(scope, task.id, true))?.bytes).toBe(task.bytes);
    for (let n = 1; n <= 3; n++) {
      const artifacts = n === 2 ? '' : `a${n}`;
      expect(await backend.append(scope, appendOf(task, n, { artifacts }), n, 10 + n)).toEqual({
        status: 'written',
        version: n + 1,
      });
    }
    const row = await backend.get(scope, task.id, true);
    expect(row).toMatchObject({
      id: task.id,
      body: task.body,
      artifacts: '[]',
      version: 4,
      lineage: task.lineage,
    });
    expect(row?.sortKey).toBe(1_003);
    expect(row?.bytes).toBe(103);
    expect(row?.segments).toEqual([
      { body: 'b1', artifacts: 'a1' },
      { body: 'b2', artifacts: '' },
      { body: 'b3', artifacts: 'a3' },
    ]);
    const bare = await backend.get(scope, task.id, false);
    expect(bare?.artifacts).toBeUndefined();
    expect(bare?.segments).toEqual([{ body: 'b1' }, { body: 'b2' }, { body: 'b3' }]);
  });

  it('conflicts on a missing row or another version, and changes nothing', async () => {
    const scope = randomScope();
    const task = fullTask();
    expect(await backend.append(scope, appendOf(task, 1), 1, 1)).toEqual({ status: 'conflict' });
    expect(await backend.get(scope, task.id, true)).toBeUndefined();
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);

    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1), 1, 2);
    const before = await backend.get(scope, task.id, true);
    for (const expected of [1, 3]) {
      expect(await backend.append(scope, appendOf(task, 9), expected, 3)).toEqual({
        status: 'conflict',
      });
    }
    expect(await backend.get(scope, task.id, true)).toEqual(before);
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual(['b1']);
    expect(await storedCounts(pool, prefix, scope, task.id)).toEqual({ segments: 1, bytes: 101 });
  });

  it('conflicts on a row of another lineage (deleted and written anew), changing nothing', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.delete(scope, task.id);
    const again = fullTask({ id: task.id });
    await backend.put(scope, again, null, 2);
    const before = await backend.get(scope, task.id, true);
    expect(before?.lineage).toBe(again.lineage);
    expect(await backend.append(scope, appendOf(task, 1), 1, 3)).toEqual({ status: 'conflict' });
    // Even when the state would be stale: conflict comes first.
    await backend.put(scope, { ...again, state: COMPLETED }, 1, 3);
    expect(await backend.append(scope, appendOf(task, 1), 2, 4)).toEqual({ status: 'conflict' });
    expect(await backend.append(scope, appendOf(again, 1), 2, 4)).toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);
    expect((await backend.get(scope, task.id, true))?.version).toBe(2);
  });

  it('is stale on a terminal task that it would move, and changes nothing', async () => {
    const scope = randomScope();
    const task = fullTask({ state: COMPLETED });
    await backend.put(scope, task, null, 1);
    const before = await backend.get(scope, task.id, true);
    expect(await backend.append(scope, appendOf(task, 1, { state: WORKING }), 1, 2)).toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(await backend.get(scope, task.id, true)).toEqual(before);
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);
    // The same terminal state is no transition: an append that keeps it is written.
    expect(await backend.append(scope, appendOf(task, 1, { state: COMPLETED }), 1, 3)).toEqual({
      status: 'written',
      version: 2,
    });
  });

  it('keeps the totals exact when appends move the state or the context', async () => {
    const scope = randomScope();
    const moved = fullTask({ contextId: 'ctx-a' });
    const still = fullTask({ contextId: 'ctx-a' });
    await backend.put(scope, moved, null, 1);
    await backend.put(scope, still, null, 1);
    await backend.append(scope, appendOf(moved, 1, { contextId: 'ctx-b' }), 1, 2);
    await backend.append(scope, appendOf(moved, 2, { contextId: 'ctx-b', state: COMPLETED }), 2, 3);
    const total = async (q: Partial<BackendListQuery>) =>
      (await backend.list(scope, listQuery(q))).total;
    expect(await total({})).toBe(2);
    expect(await total({ contextId: 'ctx-a' })).toBe(1);
    expect(await total({ contextId: 'ctx-b' })).toBe(1);
    expect(await total({ state: WORKING })).toBe(1);
    expect(await total({ state: COMPLETED })).toBe(1);
    expect(await total({ contextId: 'ctx-b', state: COMPLETED })).toBe(1);
    const [row] = (await backend.list(scope, listQuery({ contextId: 'ctx-b' }))).rows;
    expect(row?.id).toBe(moved.id);
    expect(row?.segments).toHaveLength(2);
  });
});

describe('a full write over segments', () => {
  it('drops them in the same write, with a version check or without', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1), 1, 2);
    await backend.append(scope, appendOf(task, 2), 2, 3);
    const compacted = { ...task, body: '{"v":"compacted"}', bytes: 17 + 2, lineage: 'second' };
    expect(await backend.put(scope, compacted, 2, 4)).toEqual({ status: 'conflict' });
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual(['b1', 'b2']);
    expect(await backend.put(scope, compacted, 3, 4)).toEqual({ status: 'written', version: 4 });
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);
    const row = await backend.get(scope, task.id, true);
    expect(row).toMatchObject({ body: compacted.body, version: 4, bytes: 19, lineage: 'second' });
    expect(row?.segments).toBeUndefined();

    expect(await backend.append(scope, appendOf(task, 3), 4, 5)).toEqual({ status: 'conflict' });
    await backend.append(scope, appendOf(compacted, 3), 4, 5);
    expect(await backend.put(scope, { ...compacted, body: '{"v":2}' }, undefined, 6)).toEqual({
      status: 'written',
      version: 6,
    });
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);
    expect(await storedCounts(pool, prefix, scope, task.id)).toEqual({ segments: 0, bytes: 19 });
    // Appends after the full write start a new run of segments.
    await backend.append(scope, appendOf(compacted, 4), 6, 7);
    expect((await backend.get(scope, task.id, false))?.segments).toEqual([{ body: 'b4' }]);
  });

  it('over a terminal task with segments is stale and keeps them', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1, { state: COMPLETED }), 1, 2);
    for (const expected of [2, undefined]) {
      expect(await backend.put(scope, task, expected, 3)).toEqual({
        status: 'stale',
        storedState: COMPLETED,
      });
    }
    expect(await storedSegments(pool, prefix, scope, task.id)).toEqual(['b1']);
    expect(await backend.put(scope, task, null, 3)).toEqual({ status: 'conflict' });
  });

  it('of a task without segments stays one statement', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    const execute = vi.spyOn(pool, 'execute');
    const query = vi.spyOn(pool, 'query');
    try {
      await backend.put(scope, { ...task, body: '{"v":1}' }, 1, 2);
      await backend.put(scope, { ...task, body: '{"v":2}' }, undefined, 3);
      expect(execute).toHaveBeenCalledTimes(2);
      expect(query).not.toHaveBeenCalled();
      execute.mockClear();
      expect(await backend.get(scope, task.id, true)).toMatchObject({ version: 3 });
      expect(execute).toHaveBeenCalledTimes(1);
    } finally {
      execute.mockRestore();
      query.mockRestore();
    }
  });
});

describe('reads racing a full write', () => {
  it('read the task again rather than pair the old row with missing segments', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1), 1, 2);
    const segmentsTable = tableNames(prefix).taskSegments;
    const execute = pool.execute.bind(pool);
    let raced = false;
    // The first segment read finds the task compacted (and appended again) after its row read.
    const spy = vi.spyOn(pool, 'execute').mockImplementation((async (...args: unknown[]) => {
      if (!raced && String(args[0]).startsWith(`SELECT body, artifacts FROM ${segmentsTable}`)) {
        raced = true;
        spy.mockRestore();
        await backend.put(scope, { ...task, body: '{"v":"whole"}' }, 2, 3);
        await backend.append(scope, appendOf(task, 7), 3, 4);
      }
      return (execute as (...a: unknown[]) => unknown)(...args);
    }) as typeof pool.execute);
    const row = await backend.get(scope, task.id, true);
    expect(raced).toBe(true);
    expect(row).toMatchObject({ body: '{"v":"whole"}', version: 4 });
    expect(row?.segments).toEqual([{ body: 'b7', artifacts: 'a7' }]);
  });

  it('fail retryably when the segments stay missing', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1), 1, 2);
    await pool.execute(
      `DELETE FROM ${tableNames(prefix).taskSegments} WHERE tenant = ? AND owner = ? AND task_id = ?`,
      [scope.tenant, scope.owner, task.id],
    );
    await expect(backend.get(scope, task.id, true)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(backend.list(scope, listQuery())).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('list', () => {
  it('attaches segments to the rows that have them, in one more query', async () => {
    const scope = randomScope();
    const plain = fullTask({ sortKey: 5 });
    const first = fullTask({ sortKey: 4 });
    const second = fullTask({ sortKey: 3 });
    for (const task of [plain, first, second]) await backend.put(scope, task, null, 1);
    for (let n = 1; n <= 3; n++) {
      await backend.append(scope, appendOf(first, n, { sortKey: 4 }), n, 2);
    }
    await backend.append(scope, appendOf(second, 9, { sortKey: 3 }), 1, 2);

    const execute = vi.spyOn(pool, 'execute');
    const query = vi.spyOn(pool, 'query');
    try {
      const page = await backend.list(scope, listQuery());
      expect(execute).toHaveBeenCalledTimes(1);
      expect(query).toHaveBeenCalledTimes(1);
      expect(page.total).toBe(3);
      expect(page.rows.map((row) => row.id)).toEqual([plain.id, first.id, second.id]);
      expect(page.rows[0]?.segments).toBeUndefined();
      expect(page.rows[1]?.segments).toEqual([
        { body: 'b1', artifacts: 'a1' },
        { body: 'b2', artifacts: 'a2' },
        { body: 'b3', artifacts: 'a3' },
      ]);
      expect(page.rows[2]?.segments).toEqual([{ body: 'b9', artifacts: 'a9' }]);
      expect(page.rows.map((row) => row.bytes)).toEqual([plain.bytes, 103, 109]);

      const bare = await backend.list(scope, listQuery({ includeArtifacts: false }));
      expect(bare.rows[1]?.segments).toEqual([{ body: 'b1' }, { body: 'b2' }, { body: 'b3' }]);
      expect(bare.rows[1]?.artifacts).toBeUndefined();

      execute.mockClear();
      query.mockClear();
      const withoutSegments = await backend.list(scope, listQuery({ limit: 1 }));
      expect(withoutSegments.rows.map((row) => row.id)).toEqual([plain.id]);
      expect(execute).toHaveBeenCalledTimes(1);
      expect(query).not.toHaveBeenCalled();
    } finally {
      execute.mockRestore();
      query.mockRestore();
    }
  });
});

describe('delete and purge', () => {
  it('drop the segments with the task', async () => {
    const scope = randomScope();
    const deleted = fullTask();
    const purged = [fullTask({ state: COMPLETED }), fullTask({ state: COMPLETED })];
    for (const task of [deleted, ...purged]) await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(deleted, 1), 1, 2);
    for (const task of purged) {
      await backend.append(scope, appendOf(task, 1, { state: COMPLETED }), 1, 2);
      await backend.append(scope, appendOf(task, 2, { state: COMPLETED }), 2, 2);
    }
    const probe = mysqlRawProbe(pool, { tablePrefix: prefix });
    expect((await probe.readTaskRaw(scope, deleted.id))?.split('\n').slice(-2)).toEqual([
      'b1',
      'a1',
    ]);
    expect(await backend.delete(scope, deleted.id)).toBe(true);
    expect(await storedSegments(pool, prefix, scope, deleted.id)).toEqual([]);
    expect(await probe.readTaskRaw(scope, deleted.id)).toBeUndefined();
    const batches: number[] = [];
    const count = await backend.purge({
      olderThan: 10,
      states: [COMPLETED],
      batchSize: 1,
      scope,
      onBatch: (n) => batches.push(n),
    });
    expect(count).toBe(2);
    for (const task of purged) {
      expect(await storedSegments(pool, prefix, scope, task.id)).toEqual([]);
      expect(await backend.get(scope, task.id, true)).toBeUndefined();
    }
    // A task re-created under a deleted id starts without segments.
    await backend.put(scope, deleted, null, 3);
    expect((await backend.get(scope, deleted.id, true))?.segments).toBeUndefined();
  });
});
