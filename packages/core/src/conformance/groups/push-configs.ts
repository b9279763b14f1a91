import { PushConfigLimitError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { rejectionOf } from '../helpers/assertions.js';
import { callContext, randomId, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  scopedPushStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { makePushConfig } from '../helpers/tasks.js';

/**
 * Push notification configs: in-place id assignment, replace by id, registration order, the
 * per-task cap, the wire version of each registration, and the SDK's delete rules.
 */
export function runPushConfigGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('push notification configs', () => {
    const env = useHarness(harness, options);

    async function open(storeOptions = {}) {
      const { pushNotificationStore } = await env.open(storeOptions);
      return {
        push: pushNotificationStore,
        ctx: callContext(randomScope()),
        taskId: randomId('task'),
      };
    }

    conformanceTest(
      harness,
      [],
      'an empty id is replaced in place by a non-empty one',
      async () => {
        const { push, ctx, taskId } = await open();
        const config = makePushConfig(taskId, { id: '' });
        await push.save(taskId, ctx, config);
        expect(typeof config.id).toBe('string');
        expect(config.id.length).toBeGreaterThan(0);
        await expect(push.load(taskId, ctx)).resolves.toEqual([config]);
        const second = makePushConfig(taskId, { id: '' });
        await push.save(taskId, ctx, second);
        expect(second.id).not.toBe(config.id);
        await expect(push.load(taskId, ctx)).resolves.toEqual([config, second]);
      },
    );

    conformanceTest(harness, [], 'a given id is kept', async () => {
      const { push, ctx, taskId } = await open();
      const config = makePushConfig(taskId, { id: 'my-webhook' });
      await push.save(taskId, ctx, config);
      expect(config.id).toBe('my-webhook');
      expect((await push.load(taskId, ctx)).map((c) => c.id)).toEqual(['my-webhook']);
    });

    conformanceTest(harness, [], 'many configs per task load in registration order', async () => {
      const { push, ctx, taskId } = await open();
      const configs = Array.from({ length: 12 }, (_, i) =>
        makePushConfig(taskId, { id: `cfg-${String(12 - i).padStart(2, '0')}` }),
      );
      for (const config of configs) await push.save(taskId, ctx, config);
      await expect(push.load(taskId, ctx)).resolves.toEqual(configs);
    });

    conformanceTest(
      harness,
      [],
      'the same id replaces and moves to the end of the order',
      async () => {
        const { push, ctx, taskId } = await open();
        const [a, b, c] = ['a', 'b', 'c'].map((id) => makePushConfig(taskId, { id }));
        for (const config of [a!, b!, c!]) await push.save(taskId, ctx, config);
        const replacement = makePushConfig(taskId, { id: 'a', token: 'rotated' });
        await push.save(taskId, ctx, replacement);
        await expect(push.load(taskId, ctx)).resolves.toEqual([b, c, replacement]);
      },
    );

    conformanceTest(harness, [], 'configs of different tasks are independent', async () => {
      const { push, ctx, taskId } = await open();
      const otherTask = randomId('task');
      const mine = makePushConfig(taskId, { id: 'same-id' });
      const theirs = makePushConfig(otherTask, { id: 'same-id' });
      await push.save(taskId, ctx, mine);
      await push.save(otherTask, ctx, theirs);
      await push.delete(otherTask, ctx, 'same-id');
      await expect(push.load(taskId, ctx)).resolves.toEqual([mine]);
      await expect(push.load(otherTask, ctx)).resolves.toEqual([]);
    });

    conformanceTest(harness, [], 'load of a task without configs resolves []', async () => {
      const { push, ctx } = await open();
      await expect(push.load(randomId('task'), ctx)).resolves.toEqual([]);
      await expect(loadWithMetadata(push)(randomId('task'), ctx)).resolves.toEqual([]);
    });

    conformanceTest(
      harness,
      [],
      "loadWithMetadata returns each registration's wire version",
      async () => {
        const { push, taskId } = await open();
        const scope = randomScope();
        const legacy = makePushConfig(taskId, { id: 'legacy' });
        const v1 = makePushConfig(taskId, { id: 'v1' });
        await push.save(taskId, callContext(scope), legacy);
        await push.save(taskId, callContext(scope, { requestedVersion: '1.0' }), v1);
        const stored = await loadWithMetadata(push)(
          taskId,
          callContext(scope, { requestedVersion: '1.0' }),
        );
        expect(stored).toEqual([
          { config: legacy, wireVersion: '0.3' },
          { config: v1, wireVersion: '1.0' },
        ]);
        await push.save(taskId, callContext(scope), { ...v1 });
        expect(
          (await loadWithMetadata(push)(taskId, callContext(scope))).map((s) => s.wireVersion),
        ).toEqual(['0.3', '0.3']);
      },
    );

    conformanceTest(harness, [], 'delete with a configId removes only that config', async () => {
      const { push, ctx, taskId } = await open();
      const configs = ['x', 'y', 'z'].map((id) => makePushConfig(taskId, { id }));
      for (const config of configs) await push.save(taskId, ctx, config);
      await push.delete(taskId, ctx, 'y');
      await push.delete(taskId, ctx, 'never-registered');
      await expect(push.load(taskId, ctx)).resolves.toEqual([configs[0], configs[2]]);
    });

    conformanceTest(
      harness,
      [],
      'delete without a configId removes the config whose id is the task id',
      async () => {
        const { push, ctx, taskId } = await open();
        const named = makePushConfig(taskId, { id: taskId });
        const other = makePushConfig(taskId, { id: 'other' });
        await push.save(taskId, ctx, named);
        await push.save(taskId, ctx, other);
        await push.delete(taskId, ctx);
        await expect(push.load(taskId, ctx)).resolves.toEqual([other]);
        await push.delete(taskId, ctx);
        await expect(push.load(taskId, ctx)).resolves.toEqual([other]);
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'deleteAll removes every config of the task',
      async () => {
        const { push, ctx, taskId } = await open();
        const scoped = scopedPushStore(push);
        const otherTask = randomId('task');
        for (let i = 0; i < 4; i++) await scoped.save(taskId, ctx, makePushConfig(taskId));
        const kept = makePushConfig(otherTask);
        await scoped.save(otherTask, ctx, kept);
        await scoped.deleteAll(taskId, ctx);
        await expect(scoped.load(taskId, ctx)).resolves.toEqual([]);
        await expect(scoped.load(otherTask, ctx)).resolves.toEqual([kept]);
        await scoped.deleteAll(randomId('task'), ctx);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits', 'storeOptions'],
      'the per-task cap refuses a new id with PushConfigLimitError and stores nothing',
      async () => {
        const { push, ctx, taskId } = await open({ limits: { maxPushConfigsPerTask: 3 } });
        const configs = [1, 2, 3].map((i) => makePushConfig(taskId, { id: `c${i}` }));
        for (const config of configs) await push.save(taskId, ctx, config);
        const fourth = makePushConfig(taskId, { id: 'c4' });
        expect(await rejectionOf(push.save(taskId, ctx, fourth))).toBeInstanceOf(
          PushConfigLimitError,
        );
        const unnamed = makePushConfig(taskId, { id: '' });
        expect(await rejectionOf(push.save(taskId, ctx, unnamed))).toBeInstanceOf(
          PushConfigLimitError,
        );
        await expect(push.load(taskId, ctx)).resolves.toEqual(configs);
        // The cap is per task: another task still accepts configs.
        const otherTask = randomId('task');
        await push.save(otherTask, ctx, makePushConfig(otherTask));
      },
    );

    conformanceTest(
      harness,
      ['inputLimits', 'storeOptions'],
      'at the cap, replacing an existing id still works',
      async () => {
        const { push, ctx, taskId } = await open({ limits: { maxPushConfigsPerTask: 3 } });
        const configs = [1, 2, 3].map((i) => makePushConfig(taskId, { id: `c${i}` }));
        for (const config of configs) await push.save(taskId, ctx, config);
        const replacement = makePushConfig(taskId, { id: 'c2', token: 'rotated' });
        await push.save(taskId, ctx, replacement);
        await expect(push.load(taskId, ctx)).resolves.toEqual([
          configs[0],
          configs[2],
          replacement,
        ]);
        await push.delete(taskId, ctx, 'c1');
        await push.save(taskId, ctx, makePushConfig(taskId, { id: 'c4' }));
        expect((await push.load(taskId, ctx)).map((c) => c.id)).toEqual(['c3', 'c2', 'c4']);
      },
    );
  });
}
