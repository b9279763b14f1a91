import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { InvalidInputError, PayloadTooLargeError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask, rejectionOf } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { listRequest, makeArtifact, makePushConfig, makeTask, textPart } from '../helpers/tasks.js';

const ID_255 = 'i'.repeat(245) + '-' + 'x'.repeat(9);
const ID_256 = 'i'.repeat(256);

/**
 * Input limits, checked before anything is written: empty and over-long ids, over-size tasks and
 * push configs. Each refusal is a typed error and leaves storage as it was.
 */
export function runInputLimitsGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('input limits', () => {
    const env = useHarness(harness, options);

    async function expectNothingListed(store: TaskStore, ctx: ServerCallContext): Promise<void> {
      expect((await store.list(listRequest(), ctx)).totalSize).toBe(0);
    }

    conformanceTest(harness, [], 'a 255-character id round-trips', async () => {
      const { taskStore, pushNotificationStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ id: ID_255, contextId: ID_255 });
      await taskStore.save(task, ctx);
      expectSameTask(await taskStore.load(ID_255, ctx), task);
      const config = makePushConfig(ID_255, { id: ID_255 });
      await pushNotificationStore.save(ID_255, ctx, config);
      await expect(pushNotificationStore.load(ID_255, ctx)).resolves.toEqual([config]);
    });

    conformanceTest(
      harness,
      ['inputLimits'],
      'saving a task with an empty or 256-character id throws InvalidInputError',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        for (const id of ['', ID_256]) {
          expect(
            await rejectionOf(taskStore.save(makeTask({ id }), ctx)),
            `id length ${id.length}`,
          ).toBeInstanceOf(InvalidInputError);
        }
        await expectNothingListed(taskStore, ctx);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits'],
      'a 256-character contextId throws InvalidInputError',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        expect(
          await rejectionOf(taskStore.save(makeTask({ contextId: ID_256 }), ctx)),
        ).toBeInstanceOf(InvalidInputError);
        await expectNothingListed(taskStore, ctx);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits'],
      'load and delete refuse empty and over-long ids',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        for (const id of ['', ID_256]) {
          expect(await rejectionOf(store.load(id, ctx))).toBeInstanceOf(InvalidInputError);
          expect(await rejectionOf(store.delete(id, ctx))).toBeInstanceOf(InvalidInputError);
        }
      },
    );

    conformanceTest(
      harness,
      ['inputLimits'],
      'push configs refuse empty and over-long task and config ids',
      async () => {
        const { pushNotificationStore: push } = await env.open();
        const ctx = callContext(randomScope());
        expect(await rejectionOf(push.save('', ctx, makePushConfig('')))).toBeInstanceOf(
          InvalidInputError,
        );
        expect(await rejectionOf(push.save(ID_256, ctx, makePushConfig(ID_256)))).toBeInstanceOf(
          InvalidInputError,
        );
        expect(
          await rejectionOf(push.save('task-a', ctx, makePushConfig('task-a', { id: ID_256 }))),
        ).toBeInstanceOf(InvalidInputError);
        expect(await rejectionOf(push.load('', ctx))).toBeInstanceOf(InvalidInputError);
        expect(await rejectionOf(push.delete('task-a', ctx, ID_256))).toBeInstanceOf(
          InvalidInputError,
        );
        await expect(push.load('task-a', ctx)).resolves.toEqual([]);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits', 'storeOptions'],
      'an over-size new task throws PayloadTooLargeError and stores nothing',
      async () => {
        const { taskStore } = await env.open({ limits: { maxTaskBytes: 4096 } });
        const ctx = callContext(randomScope());
        const task = makeTask({ historyLength: 0 });
        task.history.push({ ...makeTask().history[0]!, parts: [textPart('x'.repeat(5000))] });
        expect(await rejectionOf(taskStore.save(task, ctx))).toBeInstanceOf(PayloadTooLargeError);
        await expect(taskStore.load(task.id, ctx)).resolves.toBeUndefined();
        await expectNothingListed(taskStore, ctx);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits', 'storeOptions', 'extendedTaskStore'],
      'an over-size update throws PayloadTooLargeError and the previous version stays intact',
      async () => {
        const store = scopedTaskStore(
          (await env.open({ limits: { maxTaskBytes: 4096 } })).taskStore,
        );
        const ctx = callContext(randomScope());
        const task = makeTask({ historyLength: 2 });
        await store.save(task, ctx);
        const before = await store.loadVersioned(task.id, ctx);
        const grown = { ...task, artifacts: [makeArtifact(0, [textPart('é'.repeat(3000))])] };
        expect(await rejectionOf(store.save(grown, ctx))).toBeInstanceOf(PayloadTooLargeError);
        expect(await rejectionOf(store.saveIfVersion(grown, ctx, before!.version))).toBeInstanceOf(
          PayloadTooLargeError,
        );
        const after = await store.loadVersioned(task.id, ctx);
        expect(after?.version).toBe(before!.version);
        expectSameTask(after?.task, task);
      },
    );

    conformanceTest(
      harness,
      ['inputLimits', 'storeOptions'],
      'an over-size push config throws PayloadTooLargeError and stores nothing',
      async () => {
        const { pushNotificationStore: push } = await env.open({
          limits: { maxPushConfigBytes: 1024 },
        });
        const ctx = callContext(randomScope());
        const small = makePushConfig('task-a', { id: 'small' });
        await push.save('task-a', ctx, small);
        const big = makePushConfig('task-a', { id: 'big', token: 't'.repeat(2048) });
        expect(await rejectionOf(push.save('task-a', ctx, big))).toBeInstanceOf(
          PayloadTooLargeError,
        );
        const bigReplacement = makePushConfig('task-a', { id: 'small', token: 't'.repeat(2048) });
        expect(await rejectionOf(push.save('task-a', ctx, bigReplacement))).toBeInstanceOf(
          PayloadTooLargeError,
        );
        await expect(push.load('task-a', ctx)).resolves.toEqual([small]);
      },
    );
  });
}
