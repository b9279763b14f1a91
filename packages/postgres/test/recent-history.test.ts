import { RECENT_REACHES_ALL, type RecentHistory, type Scope } from '@a2a-stores/core';
import {
  backendListQuery,
  encodedAppend,
  encodedTask,
  FIXTURE_LINEAGE,
  randomScope,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasksCallSql, listTasksValues } from '../src/list-function.js';
import { type ReadTaskRecord, withSegments } from '../src/segment-rows.js';
import { type CountingBackend, countingBackend } from './segment-support.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

/*
 * The recent form at the backend (migration 0009): `put` stores `EncodedTask.recent` or NULLs,
 * `append` keeps, drops or replaces it, and `list` with `historyLength` returns it instead of
 * the body where its reach covers that length. The store-level checks are in
 * recent-history-store.test.ts.
 */

let pool: pg.Pool;
let t: CountingBackend;
const schema = randomSchema('recent');

beforeAll(async () => {
  pool = await testPool(4);
  await storesOn(pool, { schema }).migrate();
  t = countingBackend(pool, schema);
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

function recentForm(label: string, reach: number): RecentHistory {
  return { text: JSON.stringify({ recent: label }), reach };
}

/** The stored recent columns of a task. */
async function storedRecent(
  scope: Scope,
  id: string,
): Promise<{ recent: string | null; recent_reach: number | null } | undefined> {
  const { rows } = await pool.query(
    `SELECT recent, recent_reach FROM ${t.names.tasks} WHERE tenant = $1 AND owner = $2 AND id = $3`,
    [scope.tenant, scope.owner, id],
  );
  return rows[0];
}

/** The one row a list of `scope` returns (the scopes here hold one task). */
async function listedRow(scope: Scope, historyLength: number | undefined, includeArtifacts = true) {
  const { rows, total } = await t.backend.list(
    scope,
    backendListQuery({
      includeArtifacts,
      ...(historyLength !== undefined && { historyLength }),
    }),
  );
  expect(total).toBe(1);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('put, then list with historyLength', () => {
  it('returns the recent form and no body while its reach covers historyLength', async () => {
    const scope = randomScope();
    const task = { ...encodedTask('big', { artifacts: '["a"]' }), recent: recentForm('r', 3) };
    await t.backend.put(scope, task, null, 1);
    expect(await storedRecent(scope, 'big')).toEqual({ recent: task.recent.text, recent_reach: 3 });

    for (const historyLength of [0, 2, 3]) {
      const row = await listedRow(scope, historyLength);
      expect(row).toMatchObject({ id: 'big', recent: task.recent.text, artifacts: '["a"]' });
      expect(row.body ?? undefined).toBeUndefined();
      expect(row.segments).toBeUndefined();
    }
    const withoutArtifacts = await listedRow(scope, 1, false);
    expect(withoutArtifacts.recent).toBe(task.recent.text);
    expect(withoutArtifacts.artifacts).toBeUndefined();
    expect(withoutArtifacts.body ?? undefined).toBeUndefined();
  });

  it('returns the body as before past the reach, or without historyLength', async () => {
    const scope = randomScope();
    const task = { ...encodedTask('big'), recent: recentForm('r', 3) };
    await t.backend.put(scope, task, null, 1);
    for (const historyLength of [4, RECENT_REACHES_ALL, undefined]) {
      const row = await listedRow(scope, historyLength);
      expect(row.body).toBe(task.body);
      expect(row.recent ?? undefined).toBeUndefined();
    }
  });

  it('a recent form that holds the whole history answers any historyLength', async () => {
    const scope = randomScope();
    const task = { ...encodedTask('big'), recent: recentForm('all', RECENT_REACHES_ALL) };
    await t.backend.put(scope, task, null, 1);
    expect((await listedRow(scope, RECENT_REACHES_ALL)).recent).toBe(task.recent.text);
  });

  it('reads a task stored without a recent form with its body', async () => {
    const scope = randomScope();
    await t.backend.put(scope, encodedTask('small'), null, 1);
    expect(await storedRecent(scope, 'small')).toEqual({ recent: null, recent_reach: null });
    const row = await listedRow(scope, 0);
    expect(row.body).toBe(encodedTask('small').body);
    expect(row.recent ?? undefined).toBeUndefined();
  });

  it('a put without a recent form drops the stored one', async () => {
    const scope = randomScope();
    await t.backend.put(scope, { ...encodedTask('a'), recent: recentForm('r', 5) }, null, 1);
    const rewritten = encodedTask('a', { body: '{"shrunk":true}' });
    expect(await t.backend.put(scope, rewritten, 1, 2)).toEqual({ status: 'written', version: 2 });
    expect(await storedRecent(scope, 'a')).toEqual({ recent: null, recent_reach: null });
    expect((await listedRow(scope, 1)).body).toBe('{"shrunk":true}');
  });

  it('a put with a new recent form replaces the stored one', async () => {
    const scope = randomScope();
    await t.backend.put(scope, { ...encodedTask('a'), recent: recentForm('old', 5) }, null, 1);
    await t.backend.put(scope, { ...encodedTask('a'), recent: recentForm('new', 2) }, undefined, 2);
    expect(await storedRecent(scope, 'a')).toEqual({
      recent: recentForm('new', 2).text,
      recent_reach: 2,
    });
  });
});

describe('append and the recent form', () => {
  it('undefined keeps it, a value replaces it, null drops it', async () => {
    const scope = randomScope();
    const first = recentForm('first', 5);
    await t.backend.put(scope, { ...encodedTask('a'), recent: first }, null, 1);
    expect(await t.backend.append(scope, encodedAppend('a', 1), 1, 2)).toEqual({
      status: 'written',
      version: 2,
    });
    expect(await storedRecent(scope, 'a')).toEqual({ recent: first.text, recent_reach: 5 });

    const second = recentForm('second', 6);
    await t.backend.append(scope, { ...encodedAppend('a', 2), recent: second }, 2, 3);
    expect(await storedRecent(scope, 'a')).toEqual({ recent: second.text, recent_reach: 6 });

    await t.backend.append(scope, { ...encodedAppend('a', 3), recent: null }, 3, 4);
    expect(await storedRecent(scope, 'a')).toEqual({ recent: null, recent_reach: null });
    // Without a recent form the list reads the base and every segment's body.
    const row = await listedRow(scope, 1);
    expect(row.body).toBe(encodedTask('a').body);
    expect(row.segments?.map((segment) => segment.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('an append refused as a conflict leaves the recent form as it was', async () => {
    const scope = randomScope();
    const stored = recentForm('stored', 5);
    await t.backend.put(scope, { ...encodedTask('a'), recent: stored }, null, 1);
    const refused = { ...encodedAppend('a', 1), recent: recentForm('refused', 9) };
    expect(await t.backend.append(scope, refused, 7, 2)).toEqual({ status: 'conflict' });
    expect(await t.backend.append(scope, { ...refused, lineage: 'other' }, 1, 2)).toEqual({
      status: 'conflict',
    });
    expect(await storedRecent(scope, 'a')).toEqual({ recent: stored.text, recent_reach: 5 });
  });
});

describe('list with historyLength over appended segments', () => {
  async function recentWithSegments(scope: Scope, id: string, reach: number): Promise<string> {
    const recent = recentForm(id, reach);
    await t.backend.put(scope, { ...encodedTask(id), recent }, null, 1);
    await t.backend.append(scope, encodedAppend(id, 1), 1, 2);
    await t.backend.append(scope, encodedAppend(id, 2), 2, 3);
    return recent.text;
  }

  it('without artifacts: the recent form alone, in one statement', async () => {
    const scope = randomScope();
    const recent = await recentWithSegments(scope, 'a', 4);
    t.reset();
    const row = await listedRow(scope, 2, false);
    expect(t.sent).toHaveLength(1);
    expect(row.recent).toBe(recent);
    expect(row.segments).toBeUndefined();
  });

  it("with artifacts: the segments' artifacts only, no segment body", async () => {
    const scope = randomScope();
    const recent = await recentWithSegments(scope, 'a', 4);
    t.reset();
    const row = await listedRow(scope, 2, true);
    expect(t.sent).toHaveLength(2);
    expect(t.sent[1]).toBe(t.statements.rowSegmentsForHistory.text);
    expect(row).toMatchObject({ recent, artifacts: '[]', version: 3 });
    expect(row.body ?? undefined).toBeUndefined();
    expect(row.segments).toEqual([
      { body: undefined, artifacts: '[1]' },
      { body: undefined, artifacts: '[2]' },
    ]);
  });

  it('a page mixing rows within and past their reach reads each as it needs', async () => {
    const scope = randomScope();
    const recent = await recentWithSegments(scope, 'near', 4);
    await recentWithSegments(scope, 'far', 1);
    await t.backend.put(scope, encodedTask('plain', { sortKey: 1 }), null, 1);
    for (const includeArtifacts of [true, false]) {
      const { rows } = await t.backend.list(
        scope,
        backendListQuery({ includeArtifacts, historyLength: 2 }),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      expect(byId.get('near')?.recent).toBe(recent);
      expect(byId.get('near')?.segments?.map((s) => s.artifacts)).toEqual(
        includeArtifacts ? ['[1]', '[2]'] : undefined,
      );
      expect(byId.get('far')?.recent ?? undefined).toBeUndefined();
      expect(byId.get('far')?.body).toBe(encodedTask('far').body);
      expect(byId.get('far')?.segments?.map((s) => s.body)).toEqual(['{"n":1}', '{"n":2}']);
      expect(byId.get('plain')?.body).toBe(encodedTask('plain').body);
    }
  });
});

describe('a row rewritten between the page and its segments (with historyLength)', () => {
  /** The page row as a list with historyLength 2 and artifacts reads it. */
  async function pageRecord(scope: Scope): Promise<ReadTaskRecord> {
    const query = backendListQuery({ historyLength: 2, includeArtifacts: true });
    const { rows } = await pool.query<ReadTaskRecord>(
      listTasksCallSql(t.names),
      listTasksValues(scope, query),
    );
    return rows[0] as ReadTaskRecord;
  }

  it('comes back in the recent form it has now, with its current segments', async () => {
    const scope = randomScope();
    await t.backend.put(scope, { ...encodedTask('a'), recent: recentForm('v1', 4) }, null, 1);
    await t.backend.append(scope, encodedAppend('a', 1), 1, 2);
    const stale = await pageRecord(scope);
    expect(stale.recent).toBe(recentForm('v1', 4).text);
    const now = recentForm('v3', 4);
    await t.backend.append(scope, { ...encodedAppend('a', 2), recent: now }, 2, 3);
    const [row] = await withSegments(
      t.db,
      t.statements.rowSegmentsForHistory,
      scope,
      [stale],
      true,
      2,
    );
    expect(row).toEqual({
      id: 'a',
      body: undefined,
      recent: now.text,
      artifacts: '[]',
      version: 3,
      sortKey: 1002,
      bytes: 102,
      lineage: FIXTURE_LINEAGE,
      segments: [
        { body: undefined, artifacts: '[1]' },
        { body: undefined, artifacts: '[2]' },
      ],
    });
  });

  it('comes back whole when its recent form no longer reaches', async () => {
    const scope = randomScope();
    await t.backend.put(scope, { ...encodedTask('a'), recent: recentForm('v1', 4) }, null, 1);
    await t.backend.append(scope, encodedAppend('a', 1), 1, 2);
    const stale = await pageRecord(scope);
    await t.backend.append(scope, { ...encodedAppend('a', 2), recent: null }, 2, 3);
    const [row] = await withSegments(
      t.db,
      t.statements.rowSegmentsForHistory,
      scope,
      [stale],
      true,
      2,
    );
    expect(row).toMatchObject({
      body: encodedTask('a').body,
      version: 3,
      segments: [
        { body: '{"n":1}', artifacts: '[1]' },
        { body: '{"n":2}', artifacts: '[2]' },
      ],
    });
    expect(row?.recent).toBeUndefined();
  });
});
