import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import { conformanceTest, type GroupOptions, useHarness } from '../helpers/lifecycle.js';
import { makePushConfig, makeTask } from '../helpers/tasks.js';

/**
 * Checks the harness's raw probe itself, so the suite's probe-based tests can trust it: reads
 * show what the stores wrote (push configs in registration order), only in the scope asked, and
 * a corrupt call on a record that does not exist throws and creates nothing (a probe that
 * silently changed nothing would let a corrupt-record test pass untested). Run it on the stores
 * as they persist, not through a wrapper that rewrites the fields (e.g. encryption). Not part of
 * `runStoreConformance`: call it next to it.
 *
 * @example
 * ```ts
 * import { runRawProbeGroup, type StoreHarness } from '@a2a-stores/core/conformance';
 * declare const harness: StoreHarness; // with a `probe`
 * runRawProbeGroup(harness);
 * ```
 */
export function runRawProbeGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('raw probe', () => {
    const env = useHarness(harness, options);

    conformanceTest(
      harness,
      ['probe.readTaskRaw'],
      'readTaskRaw shows the stored task (context, body, artifacts), only in its scope',
      async () => {
        const { taskStore } = await env.open();
        const scope = randomScope();
        const task = makeTask({ artifactCount: 1 });
        await taskStore.save(task, callContext(scope));
        const raw = await env.probe.readTaskRaw!(scope, task.id);
        for (const part of [task.id, task.contextId, task.artifacts[0]!.artifactId])
          expect(raw).toContain(part);
        expect(await env.probe.readTaskRaw!(randomScope(), task.id)).toBeUndefined();
        expect(await env.probe.readTaskRaw!(scope, 'task-never-saved')).toBeUndefined();
      },
    );

    conformanceTest(
      harness,
      ['probe.readPushConfigsRaw'],
      'readPushConfigsRaw shows the stored configs in registration order, only in their scope',
      async () => {
        const { taskStore, pushNotificationStore } = await env.open();
        const scope = randomScope();
        const ctx = callContext(scope);
        const task = makeTask();
        await taskStore.save(task, ctx);
        // Ids in the opposite order to registration, so an order by id cannot pass.
        const configs = ['z-first', 'm-second', 'a-third'].map((id) =>
          makePushConfig(task.id, { id }),
        );
        for (const config of configs) await pushNotificationStore.save(task.id, ctx, config);
        const raw = await env.probe.readPushConfigsRaw!(scope, task.id);
        expect(raw).toHaveLength(configs.length);
        for (const [i, config] of configs.entries()) expect(raw[i]).toContain(config.token);
        expect(await env.probe.readPushConfigsRaw!(randomScope(), task.id)).toEqual([]);
      },
    );

    conformanceTest(
      harness,
      ['probe.corruptTask', 'probe.corruptPushConfig', 'probe.readTaskRaw'],
      'corrupting a record that does not exist throws and creates nothing',
      async () => {
        const { taskStore, pushNotificationStore } = await env.open();
        const scope = randomScope();
        const ctx = callContext(scope);
        const task = makeTask();
        await expect(env.probe.corruptTask(scope, task.id)).rejects.toThrow();
        expect(await env.probe.readTaskRaw!(scope, task.id)).toBeUndefined();
        await expect(taskStore.load(task.id, ctx)).resolves.toBeUndefined();

        await taskStore.save(task, ctx);
        const config = makePushConfig(task.id);
        await pushNotificationStore.save(task.id, ctx, config);
        await expect(
          env.probe.corruptPushConfig!(scope, task.id, 'config-never-saved'),
        ).rejects.toThrow();
        const other = randomScope();
        await expect(env.probe.corruptTask(other, task.id)).rejects.toThrow();
        expect(await env.probe.readTaskRaw!(other, task.id)).toBeUndefined();
        // The failed calls left the real records as they were.
        await expect(pushNotificationStore.load(task.id, ctx)).resolves.toEqual([config]);
        expectSameTask(await taskStore.load(task.id, ctx), task);
      },
    );
  });
}
