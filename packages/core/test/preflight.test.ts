import { describe, expect, it } from 'vitest';
import {
  anonymousContext,
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
  silentLogger,
} from '../src/conformance/index.js';
import {
  createMemoryStores,
  hasPushConfigSavePreflight,
  hasTaskSavePreflight,
  InvalidInputError,
  PayloadTooLargeError,
  PushUrlRejectedError,
  ScopeResolutionError,
} from '../src/index.js';

function stores() {
  return createMemoryStores({
    logger: silentLogger(),
    pushUrlCheck: conformancePushUrlCheck(),
    anonymous: 'reject',
    limits: { maxTaskBytes: 4096, maxPushConfigBytes: 1024 },
  });
}

describe('validateSave: what save would refuse, without writing', () => {
  it('tasks: the same typed errors as save, and nothing stored', async () => {
    const { taskStore } = stores();
    if (!hasTaskSavePreflight(taskStore)) expect.fail('core task stores offer validateSave');
    const ctx = callContext(randomScope());
    const big = makeTask({ historyLength: 200 });
    const badState = makeTask();
    badState.status = { ...badState.status!, state: 999 as never };
    const cases: [() => unknown, new (...args: never[]) => Error][] = [
      [() => taskStore.validateSave(makeTask({ id: '' }), ctx), InvalidInputError],
      [() => taskStore.validateSave(badState, ctx), InvalidInputError],
      [() => taskStore.validateSave(big, ctx), PayloadTooLargeError],
      [() => taskStore.validateSave(makeTask(), anonymousContext('t')), ScopeResolutionError],
    ];
    for (const [call, type] of cases) expect(call).toThrow(type);
    expect(await rejectionOf(taskStore.save(big, ctx))).toBeInstanceOf(PayloadTooLargeError);
    const fine = makeTask();
    expect(() => taskStore.validateSave(fine, ctx)).not.toThrow();
    await expect(taskStore.load(fine.id, ctx)).resolves.toBeUndefined();
  });

  it('push configs: ids, size and URL policy, and nothing stored', async () => {
    const { pushNotificationStore: push } = stores();
    if (!hasPushConfigSavePreflight(push)) expect.fail('core push stores offer validateSave');
    const ctx = callContext(randomScope());
    // Thunks: each call starts only once the previous rejection has been handled.
    const cases: [() => Promise<void>, new (...args: never[]) => Error][] = [
      [() => push.validateSave('', ctx, makePushConfig('t')), InvalidInputError],
      [
        () => push.validateSave('t', ctx, makePushConfig('t', { token: 'x'.repeat(2000) })),
        PayloadTooLargeError,
      ],
      [
        () => push.validateSave('t', ctx, { ...makePushConfig('t'), url: 'http://127.0.0.1/' }),
        PushUrlRejectedError,
      ],
      [
        () => push.validateSave('t', anonymousContext('t'), makePushConfig('t')),
        ScopeResolutionError,
      ],
    ];
    for (const [call, type] of cases) expect(await rejectionOf(call())).toBeInstanceOf(type);
    const unnamed = makePushConfig('t', { id: '' });
    await push.validateSave('t', ctx, unnamed);
    expect(unnamed.id).toBe('');
    await expect(push.load('t', ctx)).resolves.toEqual([]);
  });
});
