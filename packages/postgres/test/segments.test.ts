import { CorruptRecordError, type Scope } from '@a2a-stores/core';
import {
  backendListQuery,
  encodedAppend,
  encodedTask,
  FIXTURE_LINEAGE,
  putWithAppends,
  randomScope,
  rejectionOf,
  runTaskBackendAppendChecks,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadTaskRecord, withSegments } from '../src/segment-rows.js';
import { postgresRawProbe } from '../src/testing/index.js';
import {
  type CountingBackend,
  countingBackend,
  rawRow,
  storedSegments,
} from './segment-support.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

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

/** Writes task `id` and appends `count` segments to it; resolves the last version. */
function taskWithSegments(scope: Scope, id: string, count: number): Promise<number> {
  return putWithAppends(t.backend, scope, id, count);
}

runTaskBackendAppendChecks('postgres', {
  backend: () => t.backend,
  storedSegments: (scope, id) => storedSegments(pool, t.names, scope, id),
  purgeBatches: [2, 1],
});

describe('append', () => {
  it('keeps the row columns, and get reads the segments in a second statement', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 3);
    t.reset();
    const row = await t.backend.get(scope, 'a', true);
    expect(t.sent).toHaveLength(2);
    expect(row?.segments).toHaveLength(3);
    expect(await rawRow(pool, t.names, scope, 'a')).toEqual({
      segment_count: 3,
      bytes: '103',
      version: '4',
    });
  });

  it('reads a task without segments in one statement', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encodedTask('plain'), null, 1);
    t.reset();
    const row = await t.backend.get(scope, 'plain', true);
    expect(t.sent).toHaveLength(1);
    expect(row?.segments).toBeUndefined();
  });

  it('ignores a segment row past the count (left by a racing full write) and overwrites it', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encodedTask('a'), null, 1);
    await pool.query(
      `INSERT INTO ${t.names.segments} (tenant, owner, task_id, seq, body, artifacts)
       VALUES ($1, $2, 'a', 1, 'orphan', 'orphan')`,
      [scope.tenant, scope.owner],
    );
    expect((await t.backend.get(scope, 'a', true))?.segments).toBeUndefined();
    await t.backend.append(scope, encodedAppend('a', 1), 1, 2);
    expect((await t.backend.get(scope, 'a', true))?.segments).toEqual([
      { body: '{"n":1}', artifacts: '[1]' },
    ]);
  });
});

describe('put after appends', () => {
  it('resets the count and the size columns in the same write', async () => {
    const scope = randomScope();
    const version = await taskWithSegments(scope, 'a', 3);
    const full = encodedTask('a', {
      body: '{"compacted":true}',
      artifacts: '[1,2,3]',
      lineage: 'lineage-2',
    });
    expect(await t.backend.put(scope, full, version, 9)).toEqual({ status: 'written', version: 5 });
    expect(await rawRow(pool, t.names, scope, 'a')).toEqual({
      segment_count: 0,
      bytes: String(full.bytes),
      version: '5',
    });
  });
});

describe('list', () => {
  it('attaches segments in one extra statement', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encodedTask('plain', { sortKey: 5000 }), null, 1);
    await taskWithSegments(scope, 'one', 1);
    await taskWithSegments(scope, 'two', 2);
    t.reset();
    const { rows } = await t.backend.list(scope, backendListQuery());
    expect(t.sent).toHaveLength(2);
    expect(rows.map((row) => row.segments?.length)).toEqual([undefined, 2, 1]);
  });

  it('sends no extra statement when no row of the page has segments', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encodedTask('a'), null, 1);
    await t.backend.put(scope, encodedTask('b'), null, 1);
    t.reset();
    const { rows } = await t.backend.list(scope, backendListQuery());
    expect(t.sent).toHaveLength(1);
    expect(rows.map((row) => row.segments)).toEqual([undefined, undefined]);
  });
});

describe('a row rewritten between the row read and the segment read', () => {
  async function readRecord(scope: Scope, id: string): Promise<ReadTaskRecord> {
    const { rows } = await pool.query<ReadTaskRecord>({
      text: t.statements.get.text,
      values: [scope.tenant, scope.owner, id, true, null, null],
    });
    return rows[0] as ReadTaskRecord;
  }

  it('comes back as it is now, base and segments of one version', async () => {
    const scope = randomScope();
    await taskWithSegments(scope, 'a', 1);
    const stale = await readRecord(scope, 'a');
    const full = encodedTask('a', { body: '{"rewritten":true}', artifacts: '["x"]' });
    await t.backend.put(scope, full, 2, 5);
    await t.backend.append(scope, encodedAppend('a', 7), 3, 6);
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
      lineage: FIXTURE_LINEAGE,
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
