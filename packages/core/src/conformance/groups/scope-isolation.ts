import { randomUUID } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask } from '../helpers/assertions.js';
import { callContext, randomId } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  scopedPushStore,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { listAll, listRequest, makePushConfig, makeTask } from '../helpers/tasks.js';

/** Two tenants × two owners: the same owner name in two tenants, two owners in one tenant. */
function scopeGrid(): Scope[] {
  const tenants = [randomId('tenant'), randomId('tenant')];
  const owners = [randomId('owner'), randomId('owner')];
  return tenants.flatMap((tenant) => owners.map((owner) => ({ tenant, owner })));
}

/**
 * Scope isolation across tenant × owner on every path: the same task id in two scopes stays
 * independent, and a task of another scope is indistinguishable from a missing one.
 */
export function runScopeIsolationGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('scope isolation', () => {
    const env = useHarness(harness, options);

    conformanceTest(harness, [], 'the same task id in four scopes stays four tasks', async () => {
      const { taskStore } = await env.open();
      const id = randomId('task');
      const scopes = scopeGrid();
      const tasks = scopes.map((_, i) =>
        makeTask({ id, metadata: { scope: i }, historyLength: i + 1 }),
      );
      for (const [i, scope] of scopes.entries())
        await taskStore.save(tasks[i]!, callContext(scope));
      for (const [i, scope] of scopes.entries()) {
        expectSameTask(await taskStore.load(id, callContext(scope)), tasks[i]!);
      }
    });

    conformanceTest(
      harness,
      [],
      'a task of another scope loads as undefined, like a missing one',
      async () => {
        const { taskStore } = await env.open();
        const [owner, ...others] = scopeGrid();
        const task = makeTask();
        await taskStore.save(task, callContext(owner!));
        for (const other of others) {
          await expect(taskStore.load(task.id, callContext(other))).resolves.toBeUndefined();
          await expect(
            taskStore.load(randomId('missing'), callContext(other)),
          ).resolves.toBeUndefined();
        }
      },
    );

    conformanceTest(harness, [], 'a save in one scope never overwrites another scope', async () => {
      const { taskStore } = await env.open();
      const [a, b] = scopeGrid();
      const original = makeTask({ metadata: { who: 'a' } });
      await taskStore.save(original, callContext(a!));
      await taskStore.save(
        { ...makeTask({ id: original.id }), metadata: { who: 'b' } },
        callContext(b!),
      );
      expectSameTask(await taskStore.load(original.id, callContext(a!)), original);
    });

    conformanceTest(
      harness,
      [],
      'list returns only the caller scope, with its own totalSize',
      async () => {
        const { taskStore } = await env.open();
        const scopes = scopeGrid();
        const saved = new Map<Scope, string[]>();
        for (const [i, scope] of scopes.entries()) {
          const tasks = Array.from({ length: i + 2 }, () => makeTask());
          for (const task of tasks) await taskStore.save(task, callContext(scope));
          saved.set(scope, tasks.map((t) => t.id).sort());
        }
        for (const scope of scopes) {
          const page = await taskStore.list(listRequest(), callContext(scope));
          expect(page.totalSize).toBe(saved.get(scope)!.length);
          expect(page.tasks.map((t) => t.id).sort()).toEqual(saved.get(scope));
        }
      },
    );

    conformanceTest(
      harness,
      [],
      'scopes whose parts concatenate alike stay apart (separators in tenant and owner)',
      async () => {
        const { taskStore } = await env.open();
        const r = randomUUID();
        const confusable: Scope[] = [
          { tenant: `${r}:x`, owner: 'y' },
          { tenant: r, owner: 'x:y' },
          { tenant: `${r}|x`, owner: 'y' },
          { tenant: `${r}/x`, owner: 'y' },
          { tenant: `{${r}}`, owner: 'x}y' },
          { tenant: `${r}x`, owner: 'y' },
          { tenant: `${r}\u0001x`, owner: 'y' },
        ];
        const id = randomId('task');
        for (const [i, scope] of confusable.entries()) {
          await taskStore.save(makeTask({ id, metadata: { i } }), callContext(scope));
        }
        for (const [i, scope] of confusable.entries()) {
          const loaded = await taskStore.load(id, callContext(scope));
          expect(loaded?.metadata).toEqual({ i });
          const page = await taskStore.list(listRequest(), callContext(scope));
          expect(page.totalSize).toBe(1);
        }
      },
    );

    conformanceTest(harness, [], 'a listing in one scope never pages into another', async () => {
      const { taskStore } = await env.open();
      const [a, b] = scopeGrid();
      const ownTasks = Array.from({ length: 7 }, () => makeTask());
      for (const task of ownTasks) await taskStore.save(task, callContext(a!));
      for (let i = 0; i < 5; i++) await taskStore.save(makeTask(), callContext(b!));
      const { ids } = await listAll(taskStore, callContext(a!), { pageSize: 2 });
      expect(ids.sort()).toEqual(ownTasks.map((t) => t.id).sort());
    });

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'delete in another scope deletes nothing',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const [a, b, c] = scopeGrid();
        const task = makeTask();
        await store.save(task, callContext(a!));
        await store.save(task, callContext(c!));
        await expect(store.delete(task.id, callContext(b!))).resolves.toBe(false);
        await expect(store.delete(task.id, callContext(c!))).resolves.toBe(true);
        expectSameTask(await store.load(task.id, callContext(a!)), task);
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'versions and compare-and-set are per scope',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const [a, b] = scopeGrid();
        const task = makeTask();
        const va = await store.saveIfVersion(task, callContext(a!), null);
        await expect(store.loadVersioned(task.id, callContext(b!))).resolves.toBeUndefined();
        const vb = await store.saveIfVersion(task, callContext(b!), null);
        expect(vb).toBe(va);
        await store.saveIfVersion(task, callContext(b!), vb);
        expect((await store.loadVersioned(task.id, callContext(a!)))?.version).toBe(va);
      },
    );

    conformanceTest(harness, [], 'push configs are per scope: save, load and delete', async () => {
      const { pushNotificationStore: push } = await env.open();
      const [a, b, c] = scopeGrid();
      const taskId = randomId('task');
      const configA = makePushConfig(taskId, { id: 'shared-config-id' });
      const configB = makePushConfig(taskId, { id: 'shared-config-id' });
      await push.save(taskId, callContext(a!), configA);
      await push.save(taskId, callContext(b!), configB);
      await expect(push.load(taskId, callContext(c!))).resolves.toEqual([]);
      await expect(loadWithMetadata(push)(taskId, callContext(c!))).resolves.toEqual([]);
      await push.delete(taskId, callContext(c!), 'shared-config-id');
      await push.delete(taskId, callContext(b!), 'shared-config-id');
      await expect(push.load(taskId, callContext(a!))).resolves.toEqual([configA]);
      await expect(push.load(taskId, callContext(b!))).resolves.toEqual([]);
    });

    conformanceTest(harness, ['extendedTaskStore'], 'push deleteAll is per scope', async () => {
      const { pushNotificationStore } = await env.open();
      const push = scopedPushStore(pushNotificationStore);
      const [a, b] = scopeGrid();
      const taskId = randomId('task');
      const config = makePushConfig(taskId);
      await push.save(taskId, callContext(a!), config);
      await push.save(taskId, callContext(b!), makePushConfig(taskId));
      await push.deleteAll(taskId, callContext(b!));
      await expect(push.load(taskId, callContext(a!))).resolves.toEqual([config]);
      await expect(push.load(taskId, callContext(b!))).resolves.toEqual([]);
    });
  });
}
