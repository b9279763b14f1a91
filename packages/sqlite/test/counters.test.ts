import { TaskState } from '@a2a-js/sdk';
import { StaleWriteError, taskCounterKeys, VersionConflictError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStores, type SqliteStoreBundle, sqliteMigrations } from '../src/index.js';
import { contextFor, listRequest, makeTask } from './helpers.js';

const CONTEXTS = ['', 'c1', 'c2', 'c3'];
const STATES = [
  TaskState.TASK_STATE_UNSPECIFIED,
  TaskState.TASK_STATE_WORKING,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
];
const SCOPES = [
  { tenant: 't', owner: 'alice' },
  { tenant: 't', owner: 'bob' },
  { tenant: 'u', owner: 'alice' },
];

/** `list[i % length]`, for spreading tasks over the fixtures. */
function pick<T>(list: readonly T[], i: number): T {
  const item = list[i % list.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

interface CounterRow {
  readonly tenant: string;
  readonly owner: string;
  readonly context_id: string;
  readonly state: number;
  readonly n: number;
}

/** The counter rows as core's taskCounterKeys says they must be, recounted from the tasks. */
function recountedCounters(db: Database.Database, prefix = 'a2a_'): CounterRow[] {
  const tasks = db
    .prepare(`SELECT tenant, owner, state, context_id AS contextId FROM ${prefix}tasks`)
    .all() as Array<{ tenant: string; owner: string; state: number; contextId: string }>;
  const counts = new Map<string, CounterRow>();
  for (const task of tasks) {
    for (const key of taskCounterKeys(task.state, task.contextId)) {
      const id = JSON.stringify([task.tenant, task.owner, key.contextId, key.state]);
      const n = (counts.get(id)?.n ?? 0) + 1;
      counts.set(id, { ...task, context_id: key.contextId, state: key.state, n });
    }
  }
  return [...counts.values()]
    .map(({ tenant, owner, context_id, state, n }) => ({ tenant, owner, context_id, state, n }))
    .sort(byKey);
}

function byKey(a: CounterRow, b: CounterRow): number {
  const left = JSON.stringify([a.tenant, a.owner, a.context_id, a.state]);
  const right = JSON.stringify([b.tenant, b.owner, b.context_id, b.state]);
  return left < right ? -1 : left > right ? 1 : 0;
}

function storedCounters(db: Database.Database, prefix = 'a2a_'): CounterRow[] {
  return (
    db
      .prepare(`SELECT tenant, owner, context_id, state, n FROM ${prefix}task_counts`)
      .all() as CounterRow[]
  ).sort(byKey);
}

/**
 * Every counter row matches a recount (and none is zero: rows at zero are deleted), and every
 * list filter's totalSize matches a COUNT over the tasks table.
 */
async function expectExactTotals(db: Database.Database, bundle: SqliteStoreBundle) {
  const stored = storedCounters(db);
  expect(stored).toEqual(recountedCounters(db));
  expect(stored.every((row) => row.n > 0)).toBe(true);
  const count = db.prepare(
    `SELECT COUNT(*) FROM a2a_tasks WHERE tenant = ? AND owner = ?
      AND (? = '' OR context_id = ?) AND (? = 0 OR state = ?)`,
  );
  for (const scope of SCOPES) {
    for (const contextId of CONTEXTS) {
      for (const state of STATES) {
        const page = await bundle.taskStore.list(
          listRequest({ contextId, status: state, pageSize: 1 }),
          contextFor(scope.tenant, scope.owner),
        );
        const expected = count
          .pluck()
          .get(scope.tenant, scope.owner, contextId, contextId, state, state);
        expect({ scope, contextId, state, total: page.totalSize }).toEqual({
          scope,
          contextId,
          state,
          total: expected,
        });
      }
    }
  }
}

describe('sqlite task counters', () => {
  let db: Database.Database;
  let now: number;
  let bundle: SqliteStoreBundle;

  beforeEach(async () => {
    db = new Database(':memory:');
    now = 1_000;
    bundle = createSqliteStores({ database: db }, { now: () => now });
    await bundle.migrate();
  });

  afterEach(async () => {
    await bundle.close();
    db.close();
  });

  /** 30 tasks spread over every scope, context and (non-zero) state. */
  async function seed(): Promise<void> {
    for (let i = 0; i < 30; i++) {
      const scope = pick(SCOPES, i);
      const contextId = CONTEXTS[1 + (i % 3)];
      const state = STATES[1 + (i % 4)];
      await bundle.taskStore.save(
        makeTask(`task-${i}`, { contextId, state }),
        contextFor(scope.tenant, scope.owner),
      );
    }
  }

  it('stays exact across inserts, state changes, context changes and rewrites', async () => {
    await expectExactTotals(db, bundle);
    await seed();
    await expectExactTotals(db, bundle);
    const alice = contextFor('t', 'alice');
    await bundle.taskStore.save(
      makeTask('task-0', { contextId: 'c1', state: TaskState.TASK_STATE_INPUT_REQUIRED }),
      alice,
    );
    await expectExactTotals(db, bundle);
    await bundle.taskStore.save(
      makeTask('task-0', { contextId: 'c3', state: TaskState.TASK_STATE_INPUT_REQUIRED }),
      alice,
    );
    await bundle.taskStore.save(
      makeTask('task-3', { contextId: 'c2', state: TaskState.TASK_STATE_COMPLETED }),
      alice,
    );
    await bundle.taskStore.save(makeTask('task-6', { contextId: 'c1' }), alice);
    await expectExactTotals(db, bundle);
    const before = storedCounters(db);
    await bundle.taskStore.save(makeTask('task-6', { contextId: 'c1', text: 'again' }), alice);
    expect(storedCounters(db)).toEqual(before);
  });

  it('stays exact across deletes, and drops counters that reach zero', async () => {
    await seed();
    const bob = contextFor('t', 'bob');
    const bobs = (await bundle.taskStore.list(listRequest({ pageSize: 100 }), bob)).tasks;
    expect(bobs.length).toBe(10);
    for (const task of bobs.slice(0, 4)) {
      expect(await bundle.taskStore.delete(task.id, bob)).toBe(true);
      await expectExactTotals(db, bundle);
    }
    expect(await bundle.taskStore.delete('missing', bob)).toBe(false);
    expect(await bundle.taskStore.delete(pick(bobs, 5).id, contextFor('t', 'alice'))).toBe(false);
    await expectExactTotals(db, bundle);
    for (const task of bobs.slice(4)) await bundle.taskStore.delete(task.id, bob);
    await expectExactTotals(db, bundle);
    expect(storedCounters(db).filter((row) => row.owner === 'bob' && row.tenant === 't')).toEqual(
      [],
    );
  });

  it('leaves the counters alone when a compare-and-set fails or a stale write is refused', async () => {
    const alice = contextFor('t', 'alice');
    const done = makeTask('done', { contextId: 'c1', state: TaskState.TASK_STATE_COMPLETED });
    const version = await bundle.taskStore.saveIfVersion(done, alice, null);
    await seed();
    const before = storedCounters(db);
    const moved = makeTask('done', { contextId: 'c2', state: TaskState.TASK_STATE_FAILED });
    await expect(bundle.taskStore.saveIfVersion(moved, alice, null)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await expect(bundle.taskStore.saveIfVersion(moved, alice, version + 1)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await expect(
      bundle.taskStore.saveIfVersion(makeTask('absent', { contextId: 'c2' }), alice, 1),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const reopened = makeTask('done', { contextId: 'c3', state: TaskState.TASK_STATE_WORKING });
    await expect(bundle.taskStore.saveIfVersion(reopened, alice, version)).rejects.toBeInstanceOf(
      StaleWriteError,
    );
    await bundle.taskStore.save(reopened, alice); // staleWrites: 'ignore' drops it quietly
    expect(storedCounters(db)).toEqual(before);
    await expectExactTotals(db, bundle);
  });

  it('stays exact across purge batches, scoped and unscoped', async () => {
    await seed();
    now = 5_000;
    await bundle.taskStore.save(
      makeTask('late', { contextId: 'c1', state: TaskState.TASK_STATE_COMPLETED }),
      contextFor('t', 'alice'),
    );
    const scoped = await bundle.taskStore.purge({
      olderThan: new Date(2_000),
      batchSize: 2,
      scope: { tenant: 't', owner: 'bob' },
    });
    expect(scoped.deleted).toBeGreaterThan(0);
    await expectExactTotals(db, bundle);
    const all = await bundle.taskStore.purge({ olderThan: new Date(2_000), batchSize: 3 });
    expect(all.deleted).toBeGreaterThan(0);
    await expectExactTotals(db, bundle);
    const terminal = db
      .prepare('SELECT COUNT(*) FROM a2a_tasks WHERE state IN (?, ?) AND updated_at < 2000')
      .pluck()
      .get(TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED);
    expect(terminal).toBe(0);
  });
});

describe('sqlite task counters after an upgrade', () => {
  it('backfills exact counters for tasks stored before the counters existed', async () => {
    const db = new Database(':memory:');
    const [first, ...later] = sqliteMigrations();
    if (!first) throw new Error('no migrations');
    expect(later.map((m) => m.id)).toContain('0002_task_counts');
    // The database as the previous release left it: only the first step, recorded in the ledger.
    db.exec(
      'CREATE TABLE a2a_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
    );
    for (const statement of first.statements) db.exec(statement);
    db.prepare('INSERT INTO a2a_migrations (id, applied_at) VALUES (?, 1)').run(first.id);
    // Rows written by the real encoder, through a fully migrated store under another prefix.
    const scratch = createSqliteStores({ database: db }, { tablePrefix: 'scratch_' });
    await scratch.migrate();
    for (let i = 0; i < 40; i++) {
      const scope = pick(SCOPES, i);
      await scratch.taskStore.save(
        makeTask(`old-${i}`, { contextId: CONTEXTS[1 + (i % 3)], state: STATES[1 + (i % 4)] }),
        contextFor(scope.tenant, scope.owner),
      );
    }
    // The columns of the first step only: later steps add columns this schema lacks.
    const columns =
      'tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts';
    db.exec(`INSERT INTO a2a_tasks (${columns}) SELECT ${columns} FROM scratch_tasks`);
    await scratch.close();

    const upgraded = createSqliteStores({ database: db });
    try {
      expect((await upgraded.migrate()).applied).toEqual(later.map((m) => m.id));
      expect(storedCounters(db).reduce((sum, row) => sum + row.n, 0)).toBeGreaterThan(40);
      await expectExactTotals(db, upgraded);
      await upgraded.taskStore.delete('old-0', contextFor('t', 'alice'));
      await upgraded.taskStore.save(makeTask('new', { contextId: 'c2' }), contextFor('u', 'alice'));
      await expectExactTotals(db, upgraded);
    } finally {
      await upgraded.close();
      db.close();
    }
  });
});
