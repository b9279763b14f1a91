import { TaskState } from '@a2a-js/sdk';
import { type BackendListQuery, CorruptRecordError, type Scope } from '@a2a-stores/core';
import { randomScope, rejectionOf } from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadTaskRecord, withSegments } from '../src/segment-rows.js';
import { postgresRawProbe } from '../src/testing/index.js';
import {
  appendOf,
  type CountingBackend,
  countingBackend,
  encoded,
  LINEAGE,
  rawRow,
  storedSeqs,
} from './segment-support.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const WORKING = TaskState.TASK_STATE_WORKING;
const COMPLETED = TaskState.TASK_STATE_COMPLETED;

let pool: pg.Pool;
let t: CountingBackend;
const schema = randomSchema('segments');

beforeAll(async () => {
  pool = await testPool(4);
  await storesOn(pool, { schema }).migrate();
  t = countingBackend(pool, schema);
});

afterAll(async () => {
  await dropSchema(pool, schema);
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

/** Writes task `id` and appends `count` segments to it; resolves the last version. */
async function taskWithSegments(scope: Scope, id: string, count: number): Promise<number> {
  const put = await t.backend.put(scope, encoded(id), null, 1);
  expect(put).toEqual({ status: 'written', version: 1 });
  for (let n = 1; n <= count; n++) {
    expect(await t.backend.append(scope, appendOf(id, n), n, 1 + n)).toEqual({
      status: 'written',
      version: n + 1,
    });
  }
  return count + 1;
}

async function totals(scope: Scope): Promise<Record<string, number>> {
  const of = async (q: Partial<BackendListQuery>) =>
    (await t.backend.list(scope, listQuery(q))).total;
  return {
    all: await of({}),
    working: await of({ state: WORKING }),
    completed: await of({ state: COMPLETED }),
    ctx1: await of({ contextId: 'ctx-1' }),
    ctx2: await of({ contextId: 'ctx-2' }),
  };
}

describe('append', () => {
  it('stores segments that get returns in order, with the new row columns and size', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 3);
    t.reset();
    const row = await t.backend.get(scope, 'a', true);
    expect(t.sent).toHaveLength(2);
    expect(row).toEqual({
      id: 'a',
      body: JSON.stringify({ id: 'a', head: 'base' }),
      artifacts: '[]',
      version: 4,
      sortKey: 1003,
      bytes: 103,
      lineage: LINEAGE,
      segments: [
        { body: '{"n":1}', artifacts: '[1]' },
        { body: '{"n":2}', artifacts: '[2]' },
        { body: '{"n":3}', artifacts: '[3]' },
      ],
    });
    expect(await rawRow(pool, t.names, scope, 'a')).toEqual({
      segment_count: 3,
      bytes: '103',
      version: '4',
    });
  });

  it('omits segment artifacts when artifacts are not asked for', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 2);
    const row = await t.backend.get(scope, 'a', false);
    expect(row?.artifacts).toBeUndefined();
    expect(row?.segments).toEqual([{ body: '{"n":1}' }, { body: '{"n":2}' }]);
  });

  it('reads a task without segments in one statement, with its size and no segments', async () => {
    const scope = randomScope();
    const task = encoded('plain');
    await t.backend.put(scope, task, null, 1);
    t.reset();
    const row = await t.backend.get(scope, 'plain', true);
    expect(t.sent).toHaveLength(1);
    expect(row).toEqual({
      id: 'plain',
      body: task.body,
      artifacts: task.artifacts,
      version: 1,
      sortKey: 1000,
      bytes: task.bytes,
      lineage: LINEAGE,
    });
  });

  it('keeps a segment with empty artifacts as written', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('a'), null, 1);
    await t.backend.append(scope, appendOf('a', 1, { artifacts: '' }), 1, 2);
    expect((await t.backend.get(scope, 'a', true))?.segments).toEqual([
      { body: '{"n":1}', artifacts: '' },
    ]);
  });

  it('is a conflict, changing nothing, when the version differs or the task is missing', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 1);
    const before = await t.backend.get(scope, 'a', true);
    const counts = await totals(scope);
    for (const expected of [1, 3]) {
      expect(
        await t.backend.append(scope, appendOf('a', 9, { state: COMPLETED }), expected, 50),
      ).toEqual({
        status: 'conflict',
      });
    }
    expect(await t.backend.append(scope, appendOf('missing', 1), 1, 50)).toEqual({
      status: 'conflict',
    });
    expect(await t.backend.get(scope, 'a', true)).toEqual(before);
    expect(await t.backend.get(scope, 'missing', true)).toBeUndefined();
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([1]);
    expect(await storedSeqs(pool, t.names, scope, 'missing')).toEqual([]);
    expect(await totals(scope)).toEqual(counts);
  });

  it('is a conflict, changing nothing, on a row of another lineage at the same version', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 1);
    // Deleted and created again: versions restart, so only the lineage tells the rows apart.
    await t.backend.delete(scope, 'a');
    await t.backend.put(scope, encoded('a', { lineage: 'lineage-2' }), null, 5);
    await t.backend.append(scope, appendOf('a', 1, { lineage: 'lineage-2' }), 1, 6);
    const before = await t.backend.get(scope, 'a', true);
    const counts = await totals(scope);
    expect(await t.backend.append(scope, appendOf('a', 2, { contextId: 'ctx-2' }), 2, 7)).toEqual({
      status: 'conflict',
    });
    expect(await t.backend.get(scope, 'a', true)).toEqual(before);
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([1]);
    expect(await totals(scope)).toEqual(counts);
  });

  it('is stale, changing nothing, on a terminal task moving to another state', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('a', { state: COMPLETED }), null, 1);
    const before = await t.backend.get(scope, 'a', true);
    const counts = await totals(scope);
    expect(await t.backend.append(scope, appendOf('a', 1, { state: WORKING }), 1, 2)).toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(await t.backend.get(scope, 'a', true)).toEqual(before);
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([]);
    expect(await totals(scope)).toEqual(counts);
    // The same terminal state is not a transition: the append is written.
    expect(await t.backend.append(scope, appendOf('a', 1, { state: COMPLETED }), 1, 2)).toEqual({
      status: 'written',
      version: 2,
    });
  });

  it('moves the counters exactly when appends change state and context', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('a'), null, 1);
    await t.backend.put(scope, encoded('b'), null, 1);
    expect(await totals(scope)).toEqual({ all: 2, working: 2, completed: 0, ctx1: 2, ctx2: 0 });
    await t.backend.append(scope, appendOf('a', 1, { contextId: 'ctx-2' }), 1, 2);
    expect(await totals(scope)).toEqual({ all: 2, working: 2, completed: 0, ctx1: 1, ctx2: 1 });
    await t.backend.append(scope, appendOf('a', 2, { contextId: 'ctx-2', state: COMPLETED }), 2, 3);
    expect(await totals(scope)).toEqual({ all: 2, working: 1, completed: 1, ctx1: 1, ctx2: 1 });
    // An append that keeps state and context moves nothing.
    await t.backend.append(scope, appendOf('b', 1), 1, 2);
    expect(await totals(scope)).toEqual({ all: 2, working: 1, completed: 1, ctx1: 1, ctx2: 1 });
    const row = await t.backend.get(scope, 'a', false);
    expect(row?.segments).toHaveLength(2);
  });

  it('ignores a segment row past the count (left by a racing full write) and overwrites it', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('a'), null, 1);
    await pool.query(
      `INSERT INTO ${t.names.segments} (tenant, owner, task_id, seq, body, artifacts)
       VALUES ($1, $2, 'a', 1, 'orphan', 'orphan')`,
      [scope.tenant, scope.owner],
    );
    expect((await t.backend.get(scope, 'a', true))?.segments).toBeUndefined();
    await t.backend.append(scope, appendOf('a', 1), 1, 2);
    expect((await t.backend.get(scope, 'a', true))?.segments).toEqual([
      { body: '{"n":1}', artifacts: '[1]' },
    ]);
  });
});

describe('put after appends', () => {
  it('drops every segment and resets the count in the same write', async () => {
    const scope = randomScope();
    const version = await taskWithSegments(scope, 'a', 3);
    const full = encoded('a', {
      body: '{"compacted":true}',
      artifacts: '[1,2,3]',
      lineage: 'lineage-2',
    });
    expect(await t.backend.put(scope, full, version, 9)).toEqual({ status: 'written', version: 5 });
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([]);
    expect(await rawRow(pool, t.names, scope, 'a')).toEqual({
      segment_count: 0,
      bytes: String(full.bytes),
      version: '5',
    });
    expect(await t.backend.get(scope, 'a', true)).toEqual({
      id: 'a',
      body: full.body,
      artifacts: full.artifacts,
      version: 5,
      sortKey: 1000,
      bytes: full.bytes,
      lineage: 'lineage-2',
    });
    // Appending again starts at the first segment, on the new lineage only.
    expect(await t.backend.append(scope, appendOf('a', 1), 5, 10)).toEqual({ status: 'conflict' });
    const again = appendOf('a', 1, { lineage: 'lineage-2' });
    expect(await t.backend.append(scope, again, 5, 10)).toMatchObject({ status: 'written' });
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([1]);
  });

  it('keeps the segments when the put is refused', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 2);
    expect(await t.backend.put(scope, encoded('a'), 1, 9)).toEqual({ status: 'conflict' });
    expect(await t.backend.put(scope, encoded('a'), null, 9)).toEqual({ status: 'conflict' });
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([1, 2]);
    expect((await t.backend.get(scope, 'a', false))?.segments).toHaveLength(2);
  });
});

describe('delete and purge', () => {
  it('delete drops the task with its segments', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 2);
    expect(await t.backend.delete(scope, 'a')).toBe(true);
    expect(await storedSeqs(pool, t.names, scope, 'a')).toEqual([]);
    expect(await t.backend.get(scope, 'a', true)).toBeUndefined();
  });

  it('purge drops the tasks with their segments, batch after batch', async () => {
    const scope = randomScope();
    for (const id of ['a', 'b', 'c']) {
      await t.backend.put(scope, encoded(id, { state: COMPLETED }), null, 1);
      await t.backend.append(scope, appendOf(id, 1, { state: COMPLETED }), 1, 2);
      await t.backend.append(scope, appendOf(id, 2, { state: COMPLETED }), 2, 3);
    }
    await taskWithSegments(scope, 'kept', 1);
    const batches: number[] = [];
    const deleted = await t.backend.purge({
      olderThan: 100,
      states: [COMPLETED],
      batchSize: 2,
      scope,
      onBatch: (n) => batches.push(n),
    });
    expect(deleted).toBe(3);
    expect(batches).toEqual([2, 1]);
    for (const id of ['a', 'b', 'c']) {
      expect(await storedSeqs(pool, t.names, scope, id)).toEqual([]);
    }
    expect(await storedSeqs(pool, t.names, scope, 'kept')).toEqual([1]);
  });
});

describe('list', () => {
  it('attaches segments, in order, only to the rows that have them, in one extra statement', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('plain', { sortKey: 5000 }), null, 1);
    await taskWithSegments(scope, 'one', 1);
    await taskWithSegments(scope, 'two', 2);
    t.reset();
    const { rows, total } = await t.backend.list(scope, listQuery());
    expect(t.sent).toHaveLength(2);
    expect(total).toBe(3);
    expect(rows.map((row) => [row.id, row.segments])).toEqual([
      ['plain', undefined],
      [
        'two',
        [
          { body: '{"n":1}', artifacts: '[1]' },
          { body: '{"n":2}', artifacts: '[2]' },
        ],
      ],
      ['one', [{ body: '{"n":1}', artifacts: '[1]' }]],
    ]);
    expect(rows.map((row) => row.bytes)).toEqual([encoded('plain').bytes, 102, 101]);
  });

  it('omits segment artifacts when artifacts are not asked for', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'two', 2);
    const { rows } = await t.backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(rows[0]?.artifacts).toBeUndefined();
    expect(rows[0]?.segments).toEqual([{ body: '{"n":1}' }, { body: '{"n":2}' }]);
  });

  it('sends no extra statement when no row of the page has segments', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encoded('a'), null, 1);
    await t.backend.put(scope, encoded('b'), null, 1);
    t.reset();
    const { rows } = await t.backend.list(scope, listQuery());
    expect(t.sent).toHaveLength(1);
    expect(rows.map((row) => row.segments)).toEqual([undefined, undefined]);
  });
});

describe('a row rewritten between the row read and the segment read', () => {
  async function readRecord(scope: Scope, id: string): Promise<ReadTaskRecord> {
    const { rows } = await pool.query<ReadTaskRecord>({
      text: t.statements.getWithArtifacts.text,
      values: [scope.tenant, scope.owner, id],
    });
    return rows[0] as ReadTaskRecord;
  }

  it('comes back as it is now, base and segments of one version', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 1);
    const stale = await readRecord(scope, 'a');
    const full = encoded('a', { body: '{"rewritten":true}', artifacts: '["x"]' });
    await t.backend.put(scope, full, 2, 5);
    await t.backend.append(scope, appendOf('a', 7), 3, 6);
    const [row] = await withSegments(
      t.db,
      t.statements.rowSegmentsWithArtifacts,
      scope,
      [stale],
      true,
    );
    expect(row).toEqual({
      id: 'a',
      body: full.body,
      artifacts: full.artifacts,
      version: 4,
      sortKey: 1007,
      bytes: 107,
      lineage: LINEAGE,
      segments: [{ body: '{"n":7}', artifacts: '[7]' }],
    });
  });

  it('is left out when it was deleted', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 1);
    const stale = await readRecord(scope, 'a');
    await t.backend.delete(scope, 'a');
    expect(
      await withSegments(t.db, t.statements.rowSegmentsWithArtifacts, scope, [stale], true),
    ).toEqual([]);
  });
});

it('reports a task whose segment rows are missing as corrupt', async () => {
  const scope = randomScope();
  await taskWithSegments(scope, 'a', 2);
  await pool.query(
    `DELETE FROM ${t.names.segments} WHERE tenant = $1 AND owner = $2 AND task_id = 'a' AND seq = 2`,
    [scope.tenant, scope.owner],
  );
  const error = await rejectionOf(t.backend.get(scope, 'a', true));
  expect(error).toBeInstanceOf(CorruptRecordError);
});

it('the raw probe reads the segments too, after the row', async () => {
  const scope = randomScope();
  await taskWithSegments(scope, 'a', 2);
  const raw = await postgresRawProbe(pool, { schema }).readTaskRaw(scope, 'a');
  expect(raw).toBe(
    [
      'ctx-1',
      JSON.stringify({ id: 'a', head: 'base' }),
      '[]',
      '{"n":1}',
      '[1]',
      '{"n":2}',
      '[2]',
    ].join('\n'),
  );
});
