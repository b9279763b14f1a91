import { StoreUnavailableError } from '@a2a-stores/core';
import {
  backendListQuery as listQuery,
  randomScope,
  runTaskBackendAppendChecks,
} from '@a2a-stores/core/conformance';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tableNames } from '../src/index.js';
import type { MysqlTaskBackend } from '../src/task-backend.js';
import { mysqlRawProbe } from '../src/testing/index.js';
import { mysqlTestPool } from './support/mysql-harness.js';
import {
  appendOf,
  backendOf,
  fullTask,
  storedCounts,
  storedSegments,
} from './support/segment-fixtures.js';

const db = mysqlTestPool();
const prefix = db.prefix();
let backend: MysqlTaskBackend;

beforeAll(async () => {
  await db.migrate(prefix);
  backend = backendOf(db.pool, prefix);
});

runTaskBackendAppendChecks('mysql', {
  backend: () => backend,
  storedSegments: (scope, id) => storedSegments(db.pool, prefix, scope, id),
});

describe('the row columns appends keep', () => {
  it('hold the segment count and the size, unmoved by a conflict, reset by a full write', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1), 1, 2);
    for (const expected of [1, 3]) {
      expect(await backend.append(scope, appendOf(task, 9), expected, 3)).toEqual({
        status: 'conflict',
      });
    }
    expect(await storedCounts(db.pool, prefix, scope, task.id)).toEqual({
      segments: 1,
      bytes: 101,
    });
    await backend.append(scope, appendOf(task, 2), 2, 3);
    const compacted = { ...task, body: '{"v":"compacted"}', bytes: 17 + 2, lineage: 'second' };
    expect(await backend.put(scope, compacted, undefined, 4)).toEqual({
      status: 'written',
      version: 4,
    });
    expect(await storedCounts(db.pool, prefix, scope, task.id)).toEqual({ segments: 0, bytes: 19 });
  });
});

describe('a full write over segments', () => {
  it('of a task without segments stays one statement', async () => {
    const scope = randomScope();
    const task = fullTask();
    await backend.put(scope, task, null, 1);
    const execute = vi.spyOn(db.pool, 'execute');
    const query = vi.spyOn(db.pool, 'query');
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
    const execute = db.pool.execute.bind(db.pool);
    let raced = false;
    // The first segment read finds the task compacted (and appended again) after its row read.
    const spy = vi.spyOn(db.pool, 'execute').mockImplementation((async (...args: unknown[]) => {
      if (!raced && String(args[0]).startsWith(`SELECT body, artifacts FROM ${segmentsTable}`)) {
        raced = true;
        spy.mockRestore();
        await backend.put(scope, { ...task, body: '{"v":"whole"}' }, 2, 3);
        await backend.append(scope, appendOf(task, 7), 3, 4);
      }
      return (execute as (...a: unknown[]) => unknown)(...args);
    }) as typeof db.pool.execute);
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
    await db.pool.execute(
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

    const execute = vi.spyOn(db.pool, 'execute');
    const query = vi.spyOn(db.pool, 'query');
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

describe('delete', () => {
  it('drops the segments the raw probe showed with the task', async () => {
    const scope = randomScope();
    const deleted = fullTask();
    await backend.put(scope, deleted, null, 1);
    await backend.append(scope, appendOf(deleted, 1), 1, 2);
    const probe = mysqlRawProbe(db.pool, { tablePrefix: prefix });
    expect((await probe.readTaskRaw(scope, deleted.id))?.split('\n').slice(-2)).toEqual([
      'b1',
      'a1',
    ]);
    expect(await backend.delete(scope, deleted.id)).toBe(true);
    expect(await storedSegments(db.pool, prefix, scope, deleted.id)).toEqual([]);
    expect(await probe.readTaskRaw(scope, deleted.id)).toBeUndefined();
  });
});
