import type { EncodedTask, RecentHistory, Scope, TaskRow } from '@a2a-stores/core';
import { backendListQuery, randomScope } from '@a2a-stores/core/conformance';
import type { RowDataPacket } from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableNames } from '../src/index.js';
import type { MysqlTaskBackend } from '../src/task-backend.js';
import { mysqlRawProbe } from '../src/testing/index.js';
import { mysqlTestPool } from './support/mysql-harness.js';
import { appendOf, backendOf, fullTask } from './support/segment-fixtures.js';

/*
 * The recent form at the backend: what `put` and `append` store in `recent`/`recent_reach`, and
 * what `list` returns with a `historyLength` (core's contract in backend.ts).
 */

const db = mysqlTestPool();
const prefix = db.prefix();
let backend: MysqlTaskBackend;

beforeAll(async () => {
  await db.migrate(prefix);
  backend = backendOf(db.pool, prefix);
});

function recentOf(label: string, reach: number): RecentHistory {
  return { text: `{"recent":"${label}"}`, reach };
}

/** A task with a recent form (contexts apart, so each test lists its own tasks). */
function largeTask(recent: RecentHistory | undefined, overrides: Partial<EncodedTask> = {}) {
  return fullTask({ contextId: `ctx-${Math.random()}`, ...(recent && { recent }), ...overrides });
}

/** The stored `recent` and `recent_reach` of a row, straight from the table. */
async function storedRecent(scope: Scope, id: string): Promise<RecentHistory | null> {
  const [rows] = await db.pool.execute<RowDataPacket[]>(
    `SELECT recent, recent_reach FROM ${tableNames(prefix).tasks} WHERE tenant = ? AND owner = ? AND id = ?`,
    [scope.tenant, scope.owner, id],
  );
  const row = rows[0];
  expect(row).toBeDefined();
  if (row?.recent === null) {
    expect(row.recent_reach).toBeNull();
    return null;
  }
  return { text: String(row?.recent), reach: Number(row?.recent_reach) };
}

async function listedRow(
  scope: Scope,
  contextId: string,
  historyLength: number | undefined,
  includeArtifacts: boolean,
): Promise<TaskRow> {
  const { rows, total } = await backend.list(
    scope,
    backendListQuery({
      contextId,
      includeArtifacts,
      ...(historyLength !== undefined && { historyLength }),
    }),
  );
  expect(total).toBe(1);
  expect(rows).toHaveLength(1);
  return rows[0] as TaskRow;
}

describe('list with historyLength', () => {
  it('returns the recent form and no body of a row it reaches, with no segments without artifacts', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('r1', 3));
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1, { contextId: task.contextId }), 1, 2);
    for (const historyLength of [0, 2, 3]) {
      const row = await listedRow(scope, task.contextId, historyLength, false);
      expect(row.recent).toBe('{"recent":"r1"}');
      expect(row.body ?? undefined).toBeUndefined();
      expect(row.segments).toBeUndefined();
      expect(row.artifacts).toBeUndefined();
      expect(row).toMatchObject({ id: task.id, version: 2, bytes: 101, lineage: task.lineage });
    }
  });

  it('returns the artifacts and only the artifacts of its segments when asked for them', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('r1', 3), { artifacts: '[{"a":0}]' });
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1, { contextId: task.contextId }), 1, 2);
    await backend.append(scope, appendOf(task, 2, { contextId: task.contextId }), 2, 3);
    const row = await listedRow(scope, task.contextId, 2, true);
    expect(row.recent).toBe('{"recent":"r1"}');
    expect(row.body ?? undefined).toBeUndefined();
    expect(row.artifacts).toBe('[{"a":0}]');
    expect(row.segments).toEqual([
      { body: undefined, artifacts: 'a1' },
      { body: undefined, artifacts: 'a2' },
    ]);
  });

  it('returns the body as before for a row its recent form does not reach, or without one', async () => {
    const scope = randomScope();
    const short = largeTask(recentOf('short', 1));
    const none = largeTask(undefined);
    for (const task of [short, none]) {
      await backend.put(scope, task, null, 1);
      await backend.append(scope, appendOf(task, 1, { contextId: task.contextId }), 1, 2);
      for (const includeArtifacts of [false, true]) {
        const plain = await listedRow(scope, task.contextId, undefined, includeArtifacts);
        const asked = await listedRow(scope, task.contextId, 2, includeArtifacts);
        expect(asked.recent ?? undefined).toBeUndefined();
        expect(asked).toEqual(plain);
        expect(asked.body).toBe(task.body);
        expect(asked.segments).toEqual([
          includeArtifacts ? { body: 'b1', artifacts: 'a1' } : { body: 'b1' },
        ]);
      }
    }
  });

  it('never returns the recent form without historyLength', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('r', 5));
    await backend.put(scope, task, null, 1);
    const row = await listedRow(scope, task.contextId, undefined, true);
    expect(row.recent).toBeUndefined();
    expect(row.body).toBe(task.body);
  });

  it('serves each row of a mixed page on its own terms, with one total and the usual order', async () => {
    const scope = randomScope();
    const contextId = 'mixed';
    const reached = largeTask(recentOf('all', 2_147_483_647), { contextId, sortKey: 3 });
    const unreached = largeTask(recentOf('one', 1), { contextId, sortKey: 2 });
    const small = largeTask(undefined, { contextId, sortKey: 1 });
    for (const task of [reached, unreached, small]) {
      await backend.put(scope, task, null, 1);
      await backend.append(scope, appendOf(task, 1, { contextId, sortKey: task.sortKey }), 1, 2);
    }
    const query = backendListQuery({ contextId, historyLength: 2, includeArtifacts: true });
    const { rows, total } = await backend.list(scope, query);
    expect(total).toBe(3);
    expect(rows.map((row) => row.id)).toEqual([reached.id, unreached.id, small.id]);
    expect(rows[0]).toMatchObject({ recent: '{"recent":"all"}' });
    expect(rows[0]?.segments).toEqual([{ body: undefined, artifacts: 'a1' }]);
    for (const [row, task] of [
      [rows[1], unreached],
      [rows[2], small],
    ] as const) {
      expect(row?.recent ?? undefined).toBeUndefined();
      expect(row?.body).toBe(task.body);
      expect(row?.segments).toEqual([{ body: 'b1', artifacts: 'a1' }]);
    }
    // Paging with a cursor keeps the order and the total.
    const first = await backend.list(scope, { ...query, limit: 1 });
    expect(first.rows.map((row) => row.id)).toEqual([reached.id]);
    const next = await backend.list(scope, {
      ...query,
      limit: 5,
      cursor: { sortKey: reached.sortKey, id: reached.id },
    });
    expect(next.total).toBe(3);
    expect(next.rows.map((row) => row.id)).toEqual([unreached.id, small.id]);
  });
});

describe('put stores the recent form, or none', () => {
  it.each([
    ['a plain save (one upsert)', undefined],
    ['a compare-and-set (one update)', 1],
  ] as const)('%s without one clears the stored form', async (_label, expected) => {
    const scope = randomScope();
    const task = largeTask(recentOf('first', 4));
    await backend.put(scope, task, null, 1);
    expect(await storedRecent(scope, task.id)).toEqual(recentOf('first', 4));
    await backend.put(scope, { ...task, recent: recentOf('second', 6) }, expected, 2);
    expect(await storedRecent(scope, task.id)).toEqual(recentOf('second', 6));
    const { recent: _dropped, ...small } = task;
    await backend.put(scope, small, expected === undefined ? undefined : 2, 3);
    expect(await storedRecent(scope, task.id)).toBeNull();
    const row = await listedRow(scope, task.contextId, 2, false);
    expect(row.recent ?? undefined).toBeUndefined();
    expect(row.body).toBe(task.body);
  });

  it('a full write over segments stores its own form, or none', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('first', 4));
    await backend.put(scope, task, null, 1);
    await backend.append(scope, appendOf(task, 1, { contextId: task.contextId }), 1, 2);
    await backend.put(scope, { ...task, recent: recentOf('compacted', 7) }, 2, 3);
    expect(await storedRecent(scope, task.id)).toEqual(recentOf('compacted', 7));
    await backend.append(scope, appendOf(task, 2, { contextId: task.contextId }), 3, 4);
    const { recent: _dropped, ...small } = task;
    await backend.put(scope, small, undefined, 5);
    expect(await storedRecent(scope, task.id)).toBeNull();
  });

  it('a refused write leaves the stored form as it was', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('kept', 4));
    await backend.put(scope, task, null, 1);
    expect(await backend.put(scope, { ...task, recent: recentOf('lost', 9) }, 7, 2)).toEqual({
      status: 'conflict',
    });
    const completed = { ...task, state: 3, recent: recentOf('done', 4) };
    await backend.put(scope, completed, undefined, 3);
    // A terminal task takes no other state: the upsert's guard keeps every column.
    const stale = await backend.put(scope, { ...task, recent: recentOf('stale', 9) }, undefined, 4);
    expect(stale).toMatchObject({ status: 'stale' });
    expect(await storedRecent(scope, task.id)).toEqual(recentOf('done', 4));
  });
});

describe('append and the recent form', () => {
  async function appended(change: RecentHistory | null | undefined): Promise<RecentHistory | null> {
    const scope = randomScope();
    const task = largeTask(recentOf('before', 3));
    await backend.put(scope, task, null, 1);
    const write = appendOf(task, 1, { contextId: task.contextId });
    const outcome = await backend.append(
      scope,
      change === undefined ? write : { ...write, recent: change },
      1,
      2,
    );
    expect(outcome).toEqual({ status: 'written', version: 2 });
    return storedRecent(scope, task.id);
  }

  it('undefined keeps the stored form', async () => {
    expect(await appended(undefined)).toEqual(recentOf('before', 3));
  });

  it('null clears it', async () => {
    expect(await appended(null)).toBeNull();
  });

  it('a value replaces it', async () => {
    expect(await appended(recentOf('after', 5))).toEqual(recentOf('after', 5));
  });

  it('a refused append changes nothing, the form included', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('before', 3));
    await backend.put(scope, task, null, 1);
    const write = { ...appendOf(task, 1), recent: recentOf('after', 5) };
    expect(await backend.append(scope, write, 4, 2)).toEqual({ status: 'conflict' });
    expect(await backend.append(scope, { ...write, lineage: 'other' }, 1, 2)).toEqual({
      status: 'conflict',
    });
    expect(await storedRecent(scope, task.id)).toEqual(recentOf('before', 3));
  });
});

describe('the raw probe', () => {
  it('shows the recent form, and corrupts it with the body', async () => {
    const scope = randomScope();
    const task = largeTask(recentOf('probed', 3));
    await backend.put(scope, task, null, 1);
    const probe = mysqlRawProbe(db.pool, { tablePrefix: prefix });
    expect(await probe.readTaskRaw(scope, task.id)).toContain('{"recent":"probed"}');
    await probe.corruptTask(scope, task.id);
    expect((await storedRecent(scope, task.id))?.text).toBe('{"id": truncated');
    const small = largeTask(undefined);
    await backend.put(scope, small, null, 1);
    await probe.corruptTask(scope, small.id);
    expect(await storedRecent(scope, small.id)).toBeNull();
  });
});
