import { ScopeResolutionError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask, rejectionOf } from '../helpers/assertions.js';
import { anonymousContext, callContext, randomId, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  silentLogger,
  useHarness,
} from '../helpers/lifecycle.js';
import { listRequest, makePushConfig, makeTask } from '../helpers/tasks.js';

/**
 * Anonymous policy of the default scope resolver: `'shared'` (the default) puts the
 * unauthenticated callers of a tenant in one scope, apart from every authenticated user;
 * `'reject'` refuses them with `ScopeResolutionError` and writes nothing.
 */
export function runAnonymousPolicyGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('anonymous policy', () => {
    const env = useHarness(harness, options);

    conformanceTest(
      harness,
      [],
      "'shared': unauthenticated callers of a tenant share one scope",
      async () => {
        const { taskStore, pushNotificationStore } = await env.open({ logger: silentLogger() });
        const tenant = randomId('tenant');
        const task = makeTask();
        const config = makePushConfig(task.id);
        await taskStore.save(task, anonymousContext(tenant));
        await pushNotificationStore.save(task.id, anonymousContext(tenant), config);
        expectSameTask(await taskStore.load(task.id, anonymousContext(tenant)), task);
        expect((await taskStore.list(listRequest(), anonymousContext(tenant))).totalSize).toBe(1);
        await expect(
          pushNotificationStore.load(task.id, anonymousContext(tenant)),
        ).resolves.toEqual([config]);
      },
    );

    conformanceTest(
      harness,
      [],
      "'shared': the anonymous scope is apart from authenticated users and other tenants",
      async () => {
        const { taskStore, pushNotificationStore } = await env.open({ logger: silentLogger() });
        const user = randomScope();
        const anonymousTask = makeTask();
        const userTask = makeTask({ id: anonymousTask.id, metadata: { owner: 'user' } });
        await taskStore.save(anonymousTask, anonymousContext(user.tenant));
        await pushNotificationStore.save(
          anonymousTask.id,
          anonymousContext(user.tenant),
          makePushConfig(anonymousTask.id),
        );
        const otherTenant = anonymousContext(randomId('tenant'));
        await expect(taskStore.load(anonymousTask.id, otherTenant)).resolves.toBeUndefined();
        await expect(taskStore.load(anonymousTask.id, callContext(user))).resolves.toBeUndefined();
        await expect(
          pushNotificationStore.load(anonymousTask.id, callContext(user)),
        ).resolves.toEqual([]);
        await taskStore.save(userTask, callContext(user));
        expectSameTask(
          await taskStore.load(anonymousTask.id, anonymousContext(user.tenant)),
          anonymousTask,
        );
        expect(
          (await taskStore.list(listRequest(), callContext(user))).tasks.map((t) => t.metadata),
        ).toEqual([{ owner: 'user' }]);
      },
    );

    conformanceTest(
      harness,
      ['storeOptions'],
      "'reject': unauthenticated task calls throw ScopeResolutionError and write nothing",
      async () => {
        const { taskStore } = await env.open({ anonymous: 'reject' });
        const tenant = randomId('tenant');
        const task = makeTask();
        expect(await rejectionOf(taskStore.save(task, anonymousContext(tenant)))).toBeInstanceOf(
          ScopeResolutionError,
        );
        expect(await rejectionOf(taskStore.load(task.id, anonymousContext(tenant)))).toBeInstanceOf(
          ScopeResolutionError,
        );
        expect(
          await rejectionOf(taskStore.list(listRequest(), anonymousContext(tenant))),
        ).toBeInstanceOf(ScopeResolutionError);
        const shared = await env.open({ anonymous: 'shared', logger: silentLogger() });
        await expect(
          shared.taskStore.load(task.id, anonymousContext(tenant)),
        ).resolves.toBeUndefined();
        expect(
          (await shared.taskStore.list(listRequest(), anonymousContext(tenant))).totalSize,
        ).toBe(0);
      },
    );

    conformanceTest(
      harness,
      ['storeOptions'],
      "'reject': unauthenticated push calls throw ScopeResolutionError and write nothing",
      async () => {
        const { pushNotificationStore } = await env.open({ anonymous: 'reject' });
        const tenant = randomId('tenant');
        const taskId = randomId('task');
        const config = makePushConfig(taskId, { id: '' });
        expect(
          await rejectionOf(pushNotificationStore.save(taskId, anonymousContext(tenant), config)),
        ).toBeInstanceOf(ScopeResolutionError);
        expect(config.id).toBe('');
        expect(
          await rejectionOf(pushNotificationStore.load(taskId, anonymousContext(tenant))),
        ).toBeInstanceOf(ScopeResolutionError);
        const shared = await env.open({ anonymous: 'shared', logger: silentLogger() });
        await expect(
          shared.pushNotificationStore.load(taskId, anonymousContext(tenant)),
        ).resolves.toEqual([]);
      },
    );

    conformanceTest(
      harness,
      ['storeOptions'],
      "'reject' still serves authenticated users",
      async () => {
        const { taskStore, pushNotificationStore } = await env.open({ anonymous: 'reject' });
        const ctx = callContext(randomScope());
        const task = makeTask();
        const config = makePushConfig(task.id);
        await taskStore.save(task, ctx);
        await pushNotificationStore.save(task.id, ctx, config);
        expectSameTask(await taskStore.load(task.id, ctx), task);
        await expect(pushNotificationStore.load(task.id, ctx)).resolves.toEqual([config]);
      },
    );
  });
}
