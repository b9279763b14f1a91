import { TaskState } from '@a2a-js/sdk';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { listRequest, makePushConfig, makeTask, saveAll } from '../helpers/tasks.js';

const ALL_STATES = [
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_WORKING,
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
];

const TERMINAL = new Set<number>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

/** An instant after every write of this test: purge considers everything written so far. */
function future(): Date {
  return new Date(Date.now() + 3_600_000);
}

/**
 * `purge`: retention of finished tasks and their push configs. Every call here is restricted to
 * the test's own scope with the `scope` option: other tests share the database, so the suite
 * never purges across scopes.
 */
export function runPurgeGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('purge', () => {
    const env = useHarness(harness, options);
    const needs = ['extendedTaskStore'] as const;

    async function seeded() {
      const store = scopedTaskStore((await env.open()).taskStore);
      const scope = randomScope();
      const ctx = callContext(scope);
      const tasks = ALL_STATES.map((state) => makeTask({ state }));
      await saveAll(store, tasks, ctx);
      const remaining = async () =>
        (await store.list(listRequest({ pageSize: 100 }), ctx)).tasks
          .map((t) => t.status!.state)
          .sort();
      return { store, scope, ctx, tasks, remaining };
    }

    conformanceTest(
      harness,
      needs,
      'by default purges only terminal tasks (input/auth-required kept)',
      async () => {
        const { store, scope, remaining } = await seeded();
        await expect(store.purge({ olderThan: future(), scope })).resolves.toEqual({ deleted: 4 });
        expect(await remaining()).toEqual(ALL_STATES.filter((s) => !TERMINAL.has(s)).sort());
      },
    );

    conformanceTest(harness, needs, 'explicit states purge exactly those states', async () => {
      const { store, scope, remaining } = await seeded();
      const states = [TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_FAILED];
      await expect(store.purge({ olderThan: future(), scope, states })).resolves.toEqual({
        deleted: 2,
      });
      expect(await remaining()).toEqual(ALL_STATES.filter((s) => !states.includes(s)).sort());
    });

    conformanceTest(harness, needs, 'olderThan in the past purges nothing', async () => {
      const { store, scope, remaining } = await seeded();
      const past = new Date(Date.now() - 3_600_000);
      await expect(store.purge({ olderThan: past, scope, states: ALL_STATES })).resolves.toEqual({
        deleted: 0,
      });
      expect(await remaining()).toHaveLength(ALL_STATES.length);
    });

    conformanceTest(
      harness,
      needs,
      'a small batchSize still purges every matching task',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const scope = randomScope();
        const ctx = callContext(scope);
        const done = Array.from({ length: 11 }, () =>
          makeTask({ state: TaskState.TASK_STATE_COMPLETED }),
        );
        const live = Array.from({ length: 3 }, () =>
          makeTask({ state: TaskState.TASK_STATE_WORKING }),
        );
        await saveAll(store, [...done, ...live], ctx);
        await expect(store.purge({ olderThan: future(), scope, batchSize: 2 })).resolves.toEqual({
          deleted: 11,
        });
        const page = await store.list(listRequest(), ctx);
        expect(page.tasks.map((t) => t.id).sort()).toEqual(live.map((t) => t.id).sort());
      },
    );

    conformanceTest(
      harness,
      needs,
      'onProgress reports a growing count that ends at the number deleted',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const scope = randomScope();
        const done = Array.from({ length: 5 }, () =>
          makeTask({ state: TaskState.TASK_STATE_COMPLETED }),
        );
        await saveAll(store, done, callContext(scope));
        const seen: number[] = [];
        const result = await store.purge({
          olderThan: future(),
          scope,
          batchSize: 2,
          onProgress: (deletedSoFar) => seen.push(deletedSoFar),
        });
        expect(result).toEqual({ deleted: 5 });
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.at(-1)).toBe(5);
        expect(seen).toEqual([...seen].sort((x, y) => x - y));
      },
    );

    conformanceTest(
      harness,
      needs,
      'purge with a scope leaves every other scope alone',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const [a, b] = [randomScope(), { ...randomScope() }];
        const sameTenant = { tenant: a.tenant, owner: `${a.owner}-other` };
        const task = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
        for (const scope of [a, b, sameTenant]) await store.save(task, callContext(scope));
        await expect(store.purge({ olderThan: future(), scope: a })).resolves.toEqual({
          deleted: 1,
        });
        await expect(store.load(task.id, callContext(a))).resolves.toBeUndefined();
        for (const scope of [b, sameTenant])
          await expect(store.load(task.id, callContext(scope))).resolves.toBeDefined();
      },
    );

    conformanceTest(
      harness,
      [...needs, 'cascadeDelete'],
      'push configs of purged tasks are gone',
      async () => {
        const { taskStore, pushNotificationStore: push } = await env.open();
        const store = scopedTaskStore(taskStore);
        const scope = randomScope();
        const ctx = callContext(scope);
        const done = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
        const waiting = makeTask({ state: TaskState.TASK_STATE_INPUT_REQUIRED });
        await saveAll(store, [done, waiting], ctx);
        await push.save(done.id, ctx, makePushConfig(done.id));
        const waitingConfig = makePushConfig(waiting.id);
        await push.save(waiting.id, ctx, waitingConfig);
        await store.purge({ olderThan: future(), scope });
        await expect(push.load(done.id, ctx)).resolves.toEqual([]);
        await expect(push.load(waiting.id, ctx)).resolves.toEqual([waitingConfig]);
      },
    );
  });
}
