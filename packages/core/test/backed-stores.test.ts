import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '../src/conformance/index.js';
import { createMemoryStores, InvalidInputError, PushUrlRejectedError } from '../src/index.js';

function stores(options: Parameters<typeof createMemoryStores>[0] = {}) {
  return createMemoryStores({
    logger: silentLogger(),
    pushUrlCheck: conformancePushUrlCheck(),
    ...options,
  });
}

describe('BackedTaskStore', () => {
  it('a throwing hook never turns a successful call into a failure', async () => {
    const { taskStore } = stores({
      hooks: {
        onStaleWrite: () => {
          throw new Error('observer bug');
        },
      },
    });
    const ctx = callContext(randomScope());
    const done = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
    await taskStore.save(done, ctx);
    await expect(
      taskStore.save(
        { ...done, status: { ...done.status!, state: TaskState.TASK_STATE_WORKING } },
        ctx,
      ),
    ).resolves.toBeUndefined();
    expect((await taskStore.load(done.id, ctx))?.status?.state).toBe(
      TaskState.TASK_STATE_COMPLETED,
    );
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'saveIfVersion refuses the expected version %s',
    async (version) => {
      const { taskStore } = stores();
      await expect(
        taskStore.saveIfVersion(makeTask(), callContext(randomScope()), version),
      ).rejects.toBeInstanceOf(InvalidInputError);
    },
  );

  it.each([
    ['a missing olderThan', {}],
    ['an invalid date', { olderThan: new Date('nope') }],
    ['a zero batch size', { olderThan: new Date(), batchSize: 0 }],
    ['a huge batch size', { olderThan: new Date(), batchSize: 1_000_000 }],
    ['non-numeric states', { olderThan: new Date(), states: ['completed'] }],
  ])('purge refuses %s', async (_, options) => {
    const { taskStore } = stores();
    await expect(taskStore.purge(options as never)).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('BackedPushNotificationStore', () => {
  it('a refused URL leaves the caller object untouched and stores nothing', async () => {
    const { pushNotificationStore: push } = stores();
    const ctx = callContext(randomScope());
    const config = {
      ...makePushConfig('task-1', { id: '' }),
      url: 'https://169.254.169.254/latest/meta-data',
    };
    await expect(push.save('task-1', ctx, config)).rejects.toBeInstanceOf(PushUrlRejectedError);
    expect(config.id).toBe('');
    await expect(push.load('task-1', ctx)).resolves.toEqual([]);
  });

  it("records the context's wire version, '0.3' when the call names none", async () => {
    const { pushNotificationStore: push } = stores();
    const scope = randomScope();
    await push.save(
      'task-1',
      callContext(scope, { requestedVersion: '1.0' }),
      makePushConfig('task-1', { id: 'a' }),
    );
    await push.save('task-1', callContext(scope), makePushConfig('task-1', { id: 'b' }));
    const stored = await push.loadWithMetadata('task-1', callContext(scope));
    expect(stored.map((s) => [s.config.id, s.wireVersion])).toEqual([
      ['a', '1.0'],
      ['b', '0.3'],
    ]);
  });
});
