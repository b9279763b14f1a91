import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { isoAt, listRequest, makePushConfig, makeTask, saveAll } from '../helpers/tasks.js';

/** `delete(taskId, ctx)`: true once, then false; gone from load and list; push configs go too. */
export function runDeleteGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('delete', () => {
    const env = useHarness(harness, options);

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'resolves true when the task existed, then false',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        const task = makeTask();
        await store.save(task, ctx);
        await expect(store.delete(task.id, ctx)).resolves.toBe(true);
        await expect(store.delete(task.id, ctx)).resolves.toBe(false);
        await expect(store.delete('task-never-saved', ctx)).resolves.toBe(false);
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'a deleted task is gone from load, loadVersioned and list',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        const tasks = [0, 1, 2].map((i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(store, tasks, ctx);
        await store.delete(tasks[1]!.id, ctx);
        await expect(store.load(tasks[1]!.id, ctx)).resolves.toBeUndefined();
        await expect(store.loadVersioned(tasks[1]!.id, ctx)).resolves.toBeUndefined();
        const page = await store.list(listRequest(), ctx);
        expect(page.tasks.map((t) => t.id)).toEqual([tasks[2]!.id, tasks[0]!.id]);
        expect(page.totalSize).toBe(2);
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'a task saved again after delete starts afresh',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        const task = makeTask();
        await store.save(task, ctx);
        await store.delete(task.id, ctx);
        const version = await store.saveIfVersion(
          { ...task, metadata: { reborn: true } },
          ctx,
          null,
        );
        expect((await store.loadVersioned(task.id, ctx))?.version).toBe(version);
        expect((await store.load(task.id, ctx))?.metadata).toEqual({ reborn: true });
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore', 'cascadeDelete'],
      'deleting a task removes its push configs, and only its own',
      async () => {
        const { taskStore, pushNotificationStore: push } = await env.open();
        const store = scopedTaskStore(taskStore);
        const ctx = callContext(randomScope());
        const [doomed, kept] = [makeTask(), makeTask()];
        await saveAll(store, [doomed!, kept!], ctx);
        await push.save(doomed!.id, ctx, makePushConfig(doomed!.id));
        await push.save(doomed!.id, ctx, makePushConfig(doomed!.id));
        const keptConfig = makePushConfig(kept!.id);
        await push.save(kept!.id, ctx, keptConfig);
        await store.delete(doomed!.id, ctx);
        await expect(push.load(doomed!.id, ctx)).resolves.toEqual([]);
        await expect(push.load(kept!.id, ctx)).resolves.toEqual([keptConfig]);
        // Re-creating the task must not resurrect old registrations.
        await store.save(doomed!, ctx);
        await expect(push.load(doomed!.id, ctx)).resolves.toEqual([]);
      },
    );
    conformanceTest(
      harness,
      ['extendedTaskStore', 'cascadeDelete', 'probe.readTaskRaw', 'probe.readPushConfigsRaw'],
      'a deleted task leaves no stored record behind (raw probe)',
      async () => {
        const { taskStore, pushNotificationStore: push } = await env.open();
        const store = scopedTaskStore(taskStore);
        const scope = randomScope();
        const ctx = callContext(scope);
        const task = makeTask({ artifactCount: 1 });
        await store.save(task, ctx);
        await push.save(task.id, ctx, makePushConfig(task.id));
        expect(await env.probe.readTaskRaw!(scope, task.id)).toContain(task.id);
        expect(await env.probe.readPushConfigsRaw!(scope, task.id)).toHaveLength(1);
        await store.delete(task.id, ctx);
        expect(await env.probe.readTaskRaw!(scope, task.id)).toBeUndefined();
        expect(await env.probe.readPushConfigsRaw!(scope, task.id)).toEqual([]);
      },
    );
  });
}
