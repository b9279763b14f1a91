import { TaskState } from '@a2a-js/sdk';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { listRequest, makePushConfig, makeTask, rawPart, textPart } from '../helpers/tasks.js';

/**
 * Copies in and out: a store never keeps a reference to what it was given, nor hands out a
 * reference to what it holds. Mutating a saved or loaded object changes nothing stored.
 */
export function runCopiesGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('copies in and out', () => {
    const env = useHarness(harness, options);

    conformanceTest(harness, [], 'mutating a task after save changes nothing stored', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ metadata: { nested: { value: 1 } }, artifactCount: 1 });
      const snapshot = structuredClone(task);
      await taskStore.save(task, ctx);
      task.status!.state = TaskState.TASK_STATE_FAILED;
      task.history.push(task.history[0]!);
      task.history[0]!.parts[0] = textPart('rewritten');
      task.artifacts.length = 0;
      (task.metadata!.nested as { value: number }).value = 2;
      expectSameTask(await taskStore.load(task.id, ctx), snapshot);
    });

    conformanceTest(
      harness,
      [],
      'mutating raw bytes after save changes nothing stored',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const task = makeTask({ historyLength: 0 });
        task.history.push({
          ...makeTask().history[0]!,
          parts: [rawPart(Uint8Array.from([1, 2, 3]))],
        });
        const snapshot = structuredClone(task);
        await taskStore.save(task, ctx);
        const part = task.history[0]!.parts[0]!;
        if (part.content?.$case === 'raw') part.content.value.fill(9);
        expectSameTask(await taskStore.load(task.id, ctx), snapshot);
      },
    );

    conformanceTest(harness, [], 'mutating a loaded task changes nothing stored', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ metadata: { nested: { value: 1 } }, artifactCount: 2 });
      await taskStore.save(task, ctx);
      const loaded = (await taskStore.load(task.id, ctx))!;
      loaded.status!.state = TaskState.TASK_STATE_CANCELED;
      loaded.history.length = 0;
      loaded.artifacts[0]!.name = 'changed';
      (loaded.metadata!.nested as { value: number }).value = 3;
      expectSameTask(await taskStore.load(task.id, ctx), task);
    });

    conformanceTest(harness, [], 'mutating a listed task changes nothing stored', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ metadata: { nested: { value: 1 } }, artifactCount: 1 });
      await taskStore.save(task, ctx);
      const page = await taskStore.list(listRequest({ includeArtifacts: true }), ctx);
      const listed = page.tasks[0]!;
      listed.history.length = 0;
      listed.artifacts.length = 0;
      (listed.metadata!.nested as { value: number }).value = 4;
      expectSameTask(await taskStore.load(task.id, ctx), task);
    });

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'mutating a task from loadVersioned changes nothing stored',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        const task = makeTask({ metadata: { nested: { value: 1 } } });
        await store.save(task, ctx);
        const loaded = (await store.loadVersioned(task.id, ctx))!;
        loaded.task.history.length = 0;
        (loaded.task.metadata!.nested as { value: number }).value = 5;
        expectSameTask(await store.load(task.id, ctx), task);
      },
    );

    conformanceTest(
      harness,
      [],
      'mutating a push config after save changes nothing stored',
      async () => {
        const { pushNotificationStore } = await env.open();
        const ctx = callContext(randomScope());
        const config = makePushConfig('task-copies');
        const snapshot = structuredClone(config);
        await pushNotificationStore.save('task-copies', ctx, config);
        config.url = 'https://push.example.com/a2a/changed';
        config.token = 'changed';
        config.authentication!.credentials = 'changed';
        expect(await pushNotificationStore.load('task-copies', ctx)).toEqual([snapshot]);
      },
    );

    conformanceTest(
      harness,
      [],
      'mutating a loaded push config changes nothing stored',
      async () => {
        const { pushNotificationStore } = await env.open();
        const ctx = callContext(randomScope());
        const config = makePushConfig('task-copies');
        await pushNotificationStore.save('task-copies', ctx, config);
        const [loaded] = await pushNotificationStore.load('task-copies', ctx);
        loaded!.url = 'https://push.example.com/a2a/changed';
        loaded!.authentication!.credentials = 'changed';
        const [withMetadata] = await loadWithMetadata(pushNotificationStore)('task-copies', ctx);
        withMetadata!.config.token = 'changed';
        expect(await pushNotificationStore.load('task-copies', ctx)).toEqual([config]);
      },
    );
  });
}
