import { TaskState } from '@a2a-js/sdk';
import type { BackendListQuery } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStores, type SqliteStoreBundle } from '../src/index.js';
import { segmentStatements } from '../src/segments.js';
import {
  counterStatements,
  listCountQuery,
  listRowsQuery,
  listTotalQuery,
  purgeSelectSql,
  pushStatements,
  schemaNames,
  taskStatements,
} from '../src/sql.js';
import { contextFor, makeTask, PUBLIC_HOOK_BASE } from './helpers.js';

const names = schemaNames('a2a_');

/** Every combination of list filters, cursor, artifacts and a history length. */
function allListQueries(): BackendListQuery[] {
  const queries: BackendListQuery[] = [];
  for (let bits = 0; bits < 64; bits++) {
    queries.push({
      contextId: bits & 1 ? 'ctx' : '',
      state: bits & 2 ? TaskState.TASK_STATE_WORKING : 0,
      after: bits & 4 ? 1_000 : null,
      cursor: bits & 8 ? { sortKey: 5_000, id: 'task-9' } : null,
      includeArtifacts: (bits & 16) !== 0,
      limit: 51,
      ...(bits & 32 && { historyLength: 2 }),
    });
  }
  return queries;
}

describe('sqlite query plans', () => {
  let db: Database.Database;
  let stores: SqliteStoreBundle;

  beforeAll(async () => {
    db = new Database(':memory:');
    stores = createSqliteStores({ database: db });
    await stores.migrate();
  });

  afterAll(async () => {
    await stores.close();
    db.close();
  });

  /** A value for every named parameter any statement uses (extra names are ignored). */
  const anyParams = {
    tenant: 't',
    owner: 'o',
    id: 'x',
    taskId: 'x',
    contextId: 'c',
    state: 2,
    sortKey: 0,
    after: 0,
    cursorSortKey: 0,
    cursorId: 'x',
    limit: 10,
    states: '[3,4]',
    olderThan: 0,
    batchSize: 5,
    version: 1,
    updatedAt: 0,
    body: '{}',
    artifacts: '[]',
    wireVersion: '1.0',
    json: '{}',
    delta: 1,
  };

  function plan(sql: string, values: readonly unknown[] | typeof anyParams = anyParams): string {
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const rows = Array.isArray(values) ? statement.all(...values) : statement.all(values);
    return (rows as Array<{ detail: string }>).map((row) => row.detail).join(' | ');
  }

  // A full scan or a sort would make a page cost grow with the table or with its depth.
  for (const query of allListQueries()) {
    const { cursor, contextId, state, after, includeArtifacts, historyLength } = query;
    const shape = JSON.stringify({
      contextId,
      state,
      after,
      cursor: cursor !== null,
      includeArtifacts,
      historyLength,
    });
    it(`list ${shape} seeks an index in (sort_key, id) order`, () => {
      const page = listRowsQuery(names, 't', 'o', query);
      const rows = plan(page.sql, page.values);
      expect(rows).toMatch(
        /SEARCH a2a_tasks USING (COVERING )?INDEX a2a_tasks_by_\w+ \(tenant=\? AND owner=\?/,
      );
      expect(rows).not.toMatch(/TEMP B-TREE|SCAN a2a_tasks/);
      const total = listCountQuery(names, 't', 'o', query);
      expect(total.sql).not.toContain('id) <');
      const count = plan(total.sql, total.values);
      expect(count).toMatch(
        /SEARCH a2a_tasks USING (COVERING )?INDEX a2a_tasks_by_\w+ \(tenant=\? AND owner=\?/,
      );
      expect(count).not.toMatch(/SCAN a2a_tasks/);
      // The total read on every list call: one counter row by its key when the filters have
      // one, else the indexed COUNT above.
      const listTotal = listTotalQuery(names, 't', 'o', query);
      const counted = after === null && (contextId === '' || state === 0);
      expect(listTotal.sql).toEqual(
        counted ? expect.stringContaining('a2a_task_counts') : total.sql,
      );
      const totalPlan = plan(listTotal.sql, listTotal.values);
      expect(totalPlan).not.toMatch(/SCAN a2a_/);
      if (counted) {
        expect(totalPlan).toMatch(
          /SEARCH a2a_task_counts USING PRIMARY KEY \(tenant=\? AND owner=\? AND context_id=\? AND state=\?\)/,
        );
      }
    });
  }

  it('moves a counter by its primary key', () => {
    const sql = counterStatements(names);
    const counterKey = ['t', 'o', 'c', 2];
    for (const statement of [sql.add, sql.subtract]) {
      expect(plan(statement, [...counterKey, 1])).not.toMatch(/SCAN a2a_/);
    }
    expect(plan(sql.dropIfZero, counterKey)).toMatch(
      /SEARCH a2a_task_counts USING PRIMARY KEY \(tenant=\? AND owner=\? AND context_id=\? AND state=\?\)/,
    );
  });

  it('reads and deletes a task by its scoped primary key', () => {
    const sql = taskStatements(names);
    for (const statement of [sql.get, sql.getWithArtifacts, sql.getGuard, sql.delete]) {
      expect(plan(statement, ['t', 'o', 'x'])).toMatch(
        /SEARCH a2a_tasks USING INDEX sqlite_autoindex_a2a_tasks_1 \(tenant=\? AND owner=\? AND id=\?\)/,
      );
    }
    const writeValues = ['t', 'o', 'x', 'c', 2, 0, 0, '{}', '[]', 1, 0, 7, 'L', '{}', 3];
    expect(plan(sql.upsert, writeValues)).not.toMatch(/SCAN a2a_/);
    expect(plan(sql.appendRow, ['c', 2, 0, 0, 7, 2, 1, 't', 'o', 'x'])).toMatch(
      /SEARCH a2a_tasks USING INDEX sqlite_autoindex_a2a_tasks_1 \(tenant=\? AND owner=\? AND id=\?\)/,
    );
    const withRecent = ['c', 2, 0, 0, 7, 2, 1, '{}', 3, 't', 'o', 'x'];
    expect(plan(sql.appendRowWithRecent, withRecent)).toMatch(
      /SEARCH a2a_tasks USING INDEX sqlite_autoindex_a2a_tasks_1 \(tenant=\? AND owner=\? AND id=\?\)/,
    );
    expect(plan(sql.deleteConfigsOfTask, ['t', 'o', 'x'])).toMatch(
      /SEARCH a2a_push_configs USING INDEX \S+ \(tenant=\? AND owner=\? AND task_id=\?\)/,
    );
  });

  it('reads and deletes segments by their primary key, in seq order without sorting', () => {
    const sql = segmentStatements(names);
    for (const statement of [sql.ofTask, sql.ofTaskWithArtifacts, sql.deleteOfTask]) {
      const steps = plan(statement, ['t', 'o', 'x']);
      expect(steps).toMatch(
        /SEARCH a2a_task_segments USING INDEX sqlite_autoindex_a2a_task_segments_1 \(tenant=\? AND owner=\? AND task_id=\?\)/,
      );
      expect(steps).not.toMatch(/TEMP B-TREE/);
    }
    for (const statement of [sql.ofTasks, sql.ofTasksWithArtifacts, sql.artifactsOfTasks]) {
      const steps = plan(statement, ['t', 'o', '["x","y"]']);
      expect(steps).toMatch(
        /SEARCH a2a_task_segments USING INDEX sqlite_autoindex_a2a_task_segments_1 \(tenant=\? AND owner=\? AND task_id=\?\)/,
      );
    }
    expect(plan(sql.insert, ['t', 'o', 'x', 1, '{}', ''])).not.toMatch(/SCAN a2a_/);
  });

  it('finds purge candidates through the (state, updated_at) index', () => {
    expect(plan(purgeSelectSql(names, false))).toMatch(
      /USING INDEX a2a_tasks_purge \(state=\? AND updated_at<\?\)/,
    );
    expect(plan(purgeSelectSql(names, true))).not.toMatch(/SCAN a2a_tasks/);
  });

  it('reads push configs in registration order without sorting', () => {
    const sql = pushStatements(names);
    const list = plan(sql.list);
    expect(list).toMatch(/USING INDEX a2a_push_configs_order/);
    expect(list).not.toMatch(/TEMP B-TREE/);
    expect(plan(sql.census)).not.toMatch(/SCAN a2a_push_configs/);
  });
});

describe('sqlite purge in batches', () => {
  it('deletes every matching task and its push configs across batches, and nothing else', async () => {
    let now = 1_000;
    const stores = createSqliteStores({ filename: ':memory:' }, { now: () => now });
    await stores.migrate();
    const alice = contextFor('t', 'alice');
    const bob = contextFor('t', 'bob');
    const hook = (taskId: string) => ({
      id: `hook-${taskId}`,
      url: `${PUBLIC_HOOK_BASE}/hook`,
      token: '',
      tenant: '',
      taskId,
      authentication: undefined,
    });
    for (let i = 0; i < 23; i++) {
      await stores.taskStore.save(
        makeTask(`old-done-${i}`, { state: TaskState.TASK_STATE_COMPLETED }),
        alice,
      );
      await stores.pushNotificationStore.save(`old-done-${i}`, alice, hook(`old-done-${i}`));
    }
    await stores.taskStore.save(
      makeTask('old-done-bob', { state: TaskState.TASK_STATE_FAILED }),
      bob,
    );
    await stores.taskStore.save(
      makeTask('old-input', { state: TaskState.TASK_STATE_INPUT_REQUIRED }),
      alice,
    );
    await stores.pushNotificationStore.save('old-input', alice, hook('old-input'));
    now = 5_000;
    await stores.taskStore.save(
      makeTask('new-done', { state: TaskState.TASK_STATE_COMPLETED }),
      alice,
    );

    const scoped = await stores.taskStore.purge({
      olderThan: new Date(2_000),
      batchSize: 5,
      scope: { tenant: 't', owner: 'bob' },
    });
    expect(scoped.deleted).toBe(1);
    expect(await stores.taskStore.load('old-done-bob', bob)).toBeUndefined();

    const result = await stores.taskStore.purge({ olderThan: new Date(2_000), batchSize: 5 });
    expect(result.deleted).toBe(23);
    const left = stores.database.prepare('SELECT id FROM a2a_tasks ORDER BY id').pluck().all();
    expect(left).toEqual(['new-done', 'old-input']);
    const configs = stores.database.prepare('SELECT task_id FROM a2a_push_configs').pluck().all();
    expect(configs).toEqual(['old-input']);
    expect(
      (await stores.taskStore.purge({ olderThan: new Date(2_000), batchSize: 5 })).deleted,
    ).toBe(0);
    await stores.close();
  });
});
