import { TaskState } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';
import { expect } from 'vitest';
import { contextOf, makeTask, randomScope } from '../../src/fixtures.js';

/** What a guarded floor's raw tables hold, read by the test of each database. */
export interface GuardedFloorTables {
  /** The stored version of `taskId`. */
  version(taskId: string): Promise<number>;
  /** Every non-zero counter as `context/state=n`. */
  counters(): Promise<string[]>;
  /** The stored state column of `taskId`, for a floor whose counters do not show it. */
  state?(taskId: string): Promise<number>;
}

function withState(task: ReturnType<typeof makeTask>, state: TaskState) {
  return { ...task, status: { ...task.status!, state } };
}

/**
 * Proves a guarded floor does the work it is there to price: a version per write, the terminal
 * guard (a late working event after completion is refused), and exact counters: per scope,
 * state and context (`counted: 'keys'`, SQLite and PostgreSQL) or per scope only (`'scope'`,
 * MySQL, whose adapter counts nothing else).
 */
export async function checkGuardedFloor(
  store: TaskStore,
  tables: GuardedFloorTables,
  counted: 'keys' | 'scope' = 'keys',
) {
  const ctx = contextOf(randomScope());
  const task = makeTask(0, { contextId: 'ctx' });
  await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
  await store.save(withState(task, TaskState.TASK_STATE_COMPLETED), ctx);
  await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
  expect((await store.load(task.id, ctx))?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  await store.save(makeTask(1, { contextId: 'ctx' }), ctx);

  expect(await tables.version(task.id)).toBe(2);
  if (tables.state) expect(await tables.state(task.id)).toBe(TaskState.TASK_STATE_COMPLETED);
  const working = TaskState.TASK_STATE_WORKING;
  const completed = TaskState.TASK_STATE_COMPLETED;
  const expected =
    counted === 'scope' ? ['/0=2'] : ['/0=2', `/${completed}=1`, `/${working}=1`, 'ctx/0=2'];
  expect((await tables.counters()).sort()).toEqual(expected.sort());
}
