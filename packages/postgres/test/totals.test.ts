import { type ListTasksRequest, TaskState } from '@a2a-js/sdk';
import { isStaleTransition, type Scope } from '@a2a-stores/core';
import {
  callContext,
  isoAt,
  listRequest,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresStoreBundle, resolvePostgresNames } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const STATES = [
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_WORKING,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_CANCELED,
];
const CONTEXTS = ['ctx-a', 'ctx-b', 'ctx-c'];

interface ModelTask {
  contextId: string;
  state: number;
  sortKey: number;
  writtenAt: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let pool: pg.Pool;
let stores: PostgresStoreBundle;
let clock = 1_000_000;
const schema = randomSchema('totals');
const names = resolvePostgresNames({ schema });

beforeAll(async () => {
  pool = await testPool(8);
  stores = storesOn(pool, { schema, now: () => clock });
  await stores.migrate();
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

/** Every filter shape `list` supports, with its expected total from the model. */
async function expectTotals(scope: Scope, model: Map<string, ModelTask>): Promise<void> {
  const ctx = callContext(scope);
  const tasks = [...model.values()];
  const after = 50;
  const checks: [Partial<ListTasksRequest>, number][] = [
    [{}, tasks.length],
    [
      { statusTimestampAfter: isoAt(after) },
      tasks.filter((t) => t.sortKey > Date.parse(isoAt(after))).length,
    ],
  ];
  for (const state of STATES)
    checks.push([{ status: state }, tasks.filter((t) => t.state === state).length]);
  for (const contextId of CONTEXTS) {
    checks.push([{ contextId }, tasks.filter((t) => t.contextId === contextId).length]);
    checks.push([
      { contextId, status: TaskState.TASK_STATE_WORKING },
      tasks.filter((t) => t.contextId === contextId && t.state === TaskState.TASK_STATE_WORKING)
        .length,
    ]);
  }
  for (const [params, expected] of checks) {
    const page = await stores.taskStore.list(listRequest({ ...params, pageSize: 1 }), ctx);
    expect({ params, total: page.totalSize }).toEqual({ params, total: expected });
  }
}

/** The counters sum to exactly what a full recount of the tasks gives (zeros aside). */
async function expectCountersMatchRecount(): Promise<void> {
  const recount = await pool.query(
    `SELECT tenant, owner, context_id, state, n::int FROM (
       SELECT tenant, owner, '' AS context_id, 0::smallint AS state, count(*) AS n FROM ${names.tasks} GROUP BY 1, 2
       UNION ALL
       SELECT tenant, owner, '', state, count(*) FROM ${names.tasks} WHERE state <> 0 GROUP BY 1, 2, 4
       UNION ALL
       SELECT tenant, owner, context_id, 0::smallint, count(*) FROM ${names.tasks} WHERE context_id <> '' GROUP BY 1, 2, 3
     ) AS x ORDER BY 1, 2, 3, 4`,
  );
  // A key's count is the sum of its shard rows.
  const stored = await pool.query(
    `SELECT tenant, owner, context_id, state, sum(n)::int AS n FROM ${names.counts}
     GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4`,
  );
  expect(stored.rows).toEqual(recount.rows);
}

describe('totalSize stays exact', () => {
  it('across inserts, updates, state and context changes, deletes and purges (model check)', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const model = new Map<string, ModelTask>();
    const next = random(20240115);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    let created = 0;
    for (let step = 0; step < 160; step++) {
      clock += 10;
      const roll = next();
      const ids = [...model.keys()];
      if (roll < 0.4 || ids.length === 0) {
        const id = `task-${created++}`;
        const spec = {
          contextId: pick(CONTEXTS),
          state: pick(STATES),
          sortKey: Math.floor(next() * 100),
        };
        await stores.taskStore.save(
          makeTask({
            id,
            contextId: spec.contextId,
            state: spec.state,
            timestamp: isoAt(spec.sortKey),
          }),
          ctx,
        );
        model.set(id, { ...spec, sortKey: Date.parse(isoAt(spec.sortKey)), writtenAt: clock });
      } else if (roll < 0.8) {
        const id = pick(ids);
        const stored = model.get(id)!;
        const change = {
          contextId: next() < 0.3 ? pick(CONTEXTS) : stored.contextId,
          state: pick(STATES),
        };
        const offset = Math.floor(next() * 100);
        await stores.taskStore.save(
          makeTask({
            id,
            contextId: change.contextId,
            state: change.state,
            timestamp: isoAt(offset),
          }),
          ctx,
        );
        // The terminal guard drops a save that would move a finished task to another state.
        if (!isStaleTransition(stored.state, change.state)) {
          model.set(id, { ...change, sortKey: Date.parse(isoAt(offset)), writtenAt: clock });
        }
      } else if (roll < 0.93) {
        const id = pick(ids);
        expect(await stores.taskStore.delete(id, ctx)).toBe(true);
        model.delete(id);
      } else {
        const olderThan = clock - 200;
        const states = [TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_CANCELED];
        const expected = [...model].filter(
          ([, t]) => t.writtenAt < olderThan && states.includes(t.state),
        );
        const result = await stores.taskStore.purge({
          olderThan: new Date(olderThan),
          states,
          scope,
          batchSize: 2,
        });
        expect(result.deleted).toBe(expected.length);
        for (const [id] of expected) model.delete(id);
      }
      if (step % 8 === 7) await expectTotals(scope, model);
    }
    await expectTotals(scope, model);
    await expectCountersMatchRecount();
  });

  it('under concurrent writers in one scope, including racing inserts of the same id', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    // 16 unconditional saves of one new id at once: one insert, 15 updates, one row counted.
    const versions = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        stores.taskStore
          .save(
            makeTask({
              id: 'contended',
              contextId: CONTEXTS[i % 3],
              state: TaskState.TASK_STATE_WORKING,
            }),
            ctx,
          )
          .then(() => i),
      ),
    );
    expect(versions).toHaveLength(16);
    expect((await stores.taskStore.loadVersioned('contended', ctx))?.version).toBe(16);
    // Then writers creating, moving and deleting tasks at once.
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let i = 0; i < 12; i++) {
          const id = `w${worker}-${i}`;
          await stores.taskStore.save(
            makeTask({ id, contextId: CONTEXTS[i % 3], state: STATES[i % 2] }),
            ctx,
          );
          await stores.taskStore.save(
            makeTask({
              id,
              contextId: CONTEXTS[(i + 1) % 3],
              state: TaskState.TASK_STATE_COMPLETED,
            }),
            ctx,
          );
          if (i % 3 === 0) await stores.taskStore.delete(id, ctx);
        }
      }),
    );
    const expectedTotal = 1 + 8 * 8;
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(expectedTotal);
    expect(
      (await stores.taskStore.list(listRequest({ status: TaskState.TASK_STATE_COMPLETED }), ctx))
        .totalSize,
    ).toBe(64);
    await expectCountersMatchRecount();
  });

  it('across purges of many scopes at once, leaving no zero counters behind for them', async () => {
    const scopes = Array.from({ length: 5 }, () => randomScope());
    clock += 1000;
    for (const scope of scopes) {
      for (let i = 0; i < 7; i++) {
        await stores.taskStore.save(
          makeTask({ contextId: `ctx-${i}`, state: TaskState.TASK_STATE_FAILED }),
          callContext(scope),
        );
      }
      await stores.taskStore.save(
        makeTask({ state: TaskState.TASK_STATE_WORKING }),
        callContext(scope),
      );
    }
    clock += 1000;
    const { deleted } = await stores.taskStore.purge({
      olderThan: new Date(clock),
      states: [TaskState.TASK_STATE_FAILED],
      batchSize: 3,
    });
    expect(deleted).toBeGreaterThanOrEqual(35);
    for (const scope of scopes) {
      const ctx = callContext(scope);
      expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
      expect(
        (await stores.taskStore.list(listRequest({ status: TaskState.TASK_STATE_FAILED }), ctx))
          .totalSize,
      ).toBe(0);
      const zeros = await pool.query(
        `SELECT count(*)::int AS n FROM ${names.counts} WHERE tenant = $1 AND owner = $2 AND n = 0`,
        [scope.tenant, scope.owner],
      );
      expect(zeros.rows[0].n).toBe(0);
    }
    await expectCountersMatchRecount();
  });
});
