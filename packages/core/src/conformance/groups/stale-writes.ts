import { type Task, TaskState } from '@a2a-js/sdk';
import { StaleWriteError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask, rejectionOf } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  recordHooks,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { isoAt, makeArtifact, makeTask } from '../helpers/tasks.js';

const TERMINAL = [
  ['completed', TaskState.TASK_STATE_COMPLETED],
  ['failed', TaskState.TASK_STATE_FAILED],
  ['canceled', TaskState.TASK_STATE_CANCELED],
  ['rejected', TaskState.TASK_STATE_REJECTED],
] as const;

function inState(task: Task, state: TaskState, offset: number): Task {
  return { ...task, status: { state, message: undefined, timestamp: isoAt(offset) } };
}

/**
 * Stale terminal writes: a task that reached completed, failed, canceled or rejected is never
 * moved to another state by a late `save` (`staleWrites: 'ignore'` drops it and reports it,
 * `'throw'` raises `StaleWriteError`); re-saving the same terminal state stays allowed.
 */
export function runStaleWritesGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('stale terminal writes', () => {
    const env = useHarness(harness, options);

    for (const [name, state] of TERMINAL) {
      conformanceTest(
        harness,
        ['terminalGuard', 'storeOptions'],
        `'ignore': a ${name} task moved back to working is dropped and reported once`,
        async () => {
          const recorded = recordHooks();
          const { taskStore } = await env.open({ staleWrites: 'ignore', hooks: recorded.hooks });
          const scope = randomScope();
          const ctx = callContext(scope);
          const finished = inState(makeTask(), state, 1);
          await taskStore.save(inState(finished, TaskState.TASK_STATE_WORKING, 0), ctx);
          await taskStore.save(finished, ctx);
          await expect(
            taskStore.save(inState(finished, TaskState.TASK_STATE_WORKING, 2), ctx),
          ).resolves.toBeUndefined();
          expectSameTask(await taskStore.load(finished.id, ctx), finished);
          expect(recorded.staleWrites).toEqual([
            {
              scope,
              taskId: finished.id,
              storedState: state,
              attemptedState: TaskState.TASK_STATE_WORKING,
            },
          ]);
        },
      );
    }

    conformanceTest(
      harness,
      ['terminalGuard'],
      'by default a stale save is dropped without an error',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const done = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
        await taskStore.save(done, ctx);
        await taskStore.save(inState(done, TaskState.TASK_STATE_SUBMITTED, 5), ctx);
        expectSameTask(await taskStore.load(done.id, ctx), done);
      },
    );

    conformanceTest(
      harness,
      ['terminalGuard', 'storeOptions'],
      "'throw': a stale save throws StaleWriteError with both states and writes nothing",
      async () => {
        const recorded = recordHooks();
        const { taskStore } = await env.open({ staleWrites: 'throw', hooks: recorded.hooks });
        const ctx = callContext(randomScope());
        const canceled = makeTask({ state: TaskState.TASK_STATE_CANCELED });
        await taskStore.save(canceled, ctx);
        const error = await rejectionOf(
          taskStore.save(inState(canceled, TaskState.TASK_STATE_COMPLETED, 3), ctx),
        );
        expect(error).toBeInstanceOf(StaleWriteError);
        expect(error).toMatchObject({
          taskId: canceled.id,
          storedState: TaskState.TASK_STATE_CANCELED,
          attemptedState: TaskState.TASK_STATE_COMPLETED,
        });
        expectSameTask(await taskStore.load(canceled.id, ctx), canceled);
        expect(recorded.staleWrites).toEqual([]);
      },
    );

    for (const policy of ['ignore', 'throw'] as const) {
      conformanceTest(
        harness,
        ['terminalGuard', 'storeOptions'],
        `'${policy}': re-saving a terminal task in the same state is allowed (a final artifact)`,
        async () => {
          const recorded = recordHooks();
          const { taskStore } = await env.open({ staleWrites: policy, hooks: recorded.hooks });
          const ctx = callContext(randomScope());
          const done = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
          await taskStore.save(done, ctx);
          const withArtifact = { ...done, artifacts: [makeArtifact(7)], metadata: { final: true } };
          await taskStore.save(withArtifact, ctx);
          expectSameTask(await taskStore.load(done.id, ctx), withArtifact);
          expect(recorded.staleWrites).toEqual([]);
        },
      );
    }

    conformanceTest(harness, ['terminalGuard'], 'non-terminal states move freely', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ state: TaskState.TASK_STATE_INPUT_REQUIRED });
      await taskStore.save(task, ctx);
      const path = [
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_AUTH_REQUIRED,
        TaskState.TASK_STATE_SUBMITTED,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_FAILED,
      ];
      for (const [i, state] of path.entries()) {
        const next = inState(task, state, i + 1);
        await taskStore.save(next, ctx);
        expectSameTask(await taskStore.load(task.id, ctx), next);
      }
    });

    conformanceTest(
      harness,
      ['terminalGuard', 'extendedTaskStore', 'storeOptions'],
      "saveIfVersion always throws StaleWriteError, even with 'ignore' and the right version",
      async () => {
        const recorded = recordHooks();
        const store = scopedTaskStore(
          (await env.open({ staleWrites: 'ignore', hooks: recorded.hooks })).taskStore,
        );
        const ctx = callContext(randomScope());
        const failed = makeTask({ state: TaskState.TASK_STATE_FAILED });
        const version = await store.saveIfVersion(failed, ctx, null);
        const error = await rejectionOf(
          store.saveIfVersion(inState(failed, TaskState.TASK_STATE_WORKING, 4), ctx, version),
        );
        expect(error).toBeInstanceOf(StaleWriteError);
        const loaded = await store.loadVersioned(failed.id, ctx);
        expect(loaded?.version).toBe(version);
        expectSameTask(loaded?.task, failed);
        const same = await store.saveIfVersion(
          { ...failed, metadata: { note: 'post-mortem' } },
          ctx,
          version,
        );
        expect(same).toBe(version + 1);
      },
    );
  });
}
