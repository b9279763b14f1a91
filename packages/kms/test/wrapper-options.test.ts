import { createMemoryStores, InvalidInputError, ScopeResolutionError } from '@a2a-stores/core';
import {
  anonymousContext,
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { describe, expect, it } from 'vitest';
import {
  type EnvelopeEncryptionOptions,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { CountingKeyring } from './support/counting-keyring.js';

const keyring = new LocalAesKeyring({ keys: { k: Buffer.alloc(32, 1) }, primary: 'k' });

describe('withEnvelopeEncryption options', () => {
  it('refuses invalid options when the wrapper is built', () => {
    const stores = createMemoryStores();
    const bad: unknown[] = [
      {},
      { keyring: {} },
      { keyring, taskFields: ['status'] },
      { keyring, mode: 'lenient' },
      { keyring, strict: 'yes' },
      { keyring, strict: true, mode: 'migrate' },
      { keyring, cache: 'on' },
      { keyring, cache: { maxUses: 0 } },
      { keyring, cache: { maxAgeMs: 1.5 } },
    ];
    for (const options of bad) {
      expect(
        () => withEnvelopeEncryption(stores, options as EnvelopeEncryptionOptions),
        JSON.stringify(options),
      ).toThrow(TypeError);
    }
    expect(() =>
      withEnvelopeEncryption({} as never, { keyring } as EnvelopeEncryptionOptions),
    ).toThrow(TypeError);
  });

  it('refuses a scopeResolver over stores that resolve scopes themselves', () => {
    expect(() =>
      withEnvelopeEncryption(createMemoryStores(), {
        keyring,
        scopeResolver: () => ({ tenant: '', owner: '' }),
      }),
    ).toThrow(/scopeOf/);
  });

  it('accepts strict: false as migration mode and strict: true with mode strict', () => {
    expect(() =>
      withEnvelopeEncryption(createMemoryStores(), { keyring, strict: false, mode: 'migrate' }),
    ).not.toThrow();
    expect(() =>
      withEnvelopeEncryption(createMemoryStores(), { keyring, strict: true, mode: 'strict' }),
    ).not.toThrow();
  });

  it('passes migrate() through to the inner stores', async () => {
    const stores = withEnvelopeEncryption(createMemoryStores(), { keyring });
    await expect(stores.migrate()).resolves.toEqual({ applied: [], current: [] });
  });
});

describe('bad input is refused before any keyring call, and nothing is stored', () => {
  function open() {
    const counting = new CountingKeyring();
    const inner = createMemoryStores({
      pushUrlCheck: conformancePushUrlCheck(),
      anonymous: 'reject',
    });
    const stores = withEnvelopeEncryption(inner, { keyring: counting, taskFields: TASK_FIELDS });
    return { counting, inner, stores, ctx: callContext(randomScope()) };
  }

  it('invalid ids, unsafe header values, a missing URL and an unresolvable scope', async () => {
    const env = open();
    const push = env.stores.pushNotificationStore;
    const tasks = env.stores.taskStore;
    const cases: [Promise<unknown>, new (...args: never[]) => Error][] = [
      [tasks.save(makeTask({ id: '' }), env.ctx), InvalidInputError],
      [tasks.save(makeTask({ id: 'x'.repeat(256) }), env.ctx), InvalidInputError],
      [tasks.saveIfVersion(makeTask(), env.ctx, 0), InvalidInputError],
      [tasks.save(makeTask(), anonymousContext('acme')), ScopeResolutionError],
      [push.save('', env.ctx, makePushConfig('t')), InvalidInputError],
      [
        push.save('t', env.ctx, makePushConfig('t', { token: 'a\r\nInjected: 1' })),
        InvalidInputError,
      ],
      [push.save('t', env.ctx, makePushConfig('t', { id: 'i'.repeat(256) })), InvalidInputError],
      [push.save('t', env.ctx, { ...makePushConfig('t'), url: '' }), InvalidInputError],
      [push.save('t', anonymousContext('acme'), makePushConfig('t')), ScopeResolutionError],
    ];
    for (const [call, type] of cases) expect(await rejectionOf(call)).toBeInstanceOf(type);
    expect(env.counting.calls).toBe(0);
    await expect(env.inner.pushNotificationStore.load('t', env.ctx)).resolves.toEqual([]);
  });

  it('a task with nothing to seal makes no keyring call', async () => {
    const env = open();
    const bare = makeTask({ historyLength: 0 });
    await env.stores.taskStore.save(bare, env.ctx);
    await env.stores.taskStore.load(bare.id, env.ctx);
    const tokenless = { ...makePushConfig(bare.id), token: '', authentication: undefined };
    await env.stores.pushNotificationStore.save(bare.id, env.ctx, tokenless);
    expect(env.counting.calls).toBe(0);
  });

  it('what the inner store refuses costs no keyring call: URL policy, sizes, task state', async () => {
    const env = open();
    const refusedUrls = Array.from({ length: 50 }, (_, i) => ({
      ...makePushConfig('t', { id: `c${i}` }),
      url: `http://169.254.169.254/latest/${i}`,
    }));
    for (const config of refusedUrls) {
      expect(
        await rejectionOf(env.stores.pushNotificationStore.save('t', env.ctx, config)),
      ).toMatchObject({ code: 'PUSH_URL_REJECTED' });
    }
    const hugeToken = makePushConfig('t', { token: 'x'.repeat(20 * 1024) });
    expect(
      await rejectionOf(env.stores.pushNotificationStore.save('t', env.ctx, hugeToken)),
    ).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const huge = makeTask({ historyLength: 1 });
    huge.history[0]!.parts = [
      { ...huge.history[0]!.parts[0]!, content: { $case: 'text', value: 'y'.repeat(6 << 20) } },
    ];
    expect(await rejectionOf(env.stores.taskStore.save(huge, env.ctx))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const badState = makeTask();
    badState.status = { ...badState.status!, state: 999 as never };
    expect(await rejectionOf(env.stores.taskStore.save(badState, env.ctx))).toBeInstanceOf(
      InvalidInputError,
    );
    expect(env.counting.calls).toBe(0);
    await expect(env.inner.pushNotificationStore.load('t', env.ctx)).resolves.toEqual([]);
    await expect(env.inner.taskStore.load(huge.id, env.ctx)).resolves.toBeUndefined();
    await expect(env.inner.taskStore.load(badState.id, env.ctx)).resolves.toBeUndefined();
  });

  it('a refused write (URL policy) leaves the caller config without an id', async () => {
    const env = open();
    const config = { ...makePushConfig('t', { id: '' }), url: 'http://169.254.169.254/latest' };
    expect(
      await rejectionOf(env.stores.pushNotificationStore.save('t', env.ctx, config)),
    ).toMatchObject({ code: 'PUSH_URL_REJECTED' });
    expect(config.id).toBe('');
    await expect(env.inner.pushNotificationStore.load('t', env.ctx)).resolves.toEqual([]);
  });
});
