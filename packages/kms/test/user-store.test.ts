import { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { InMemoryPushNotificationStore, InMemoryTaskStore } from '@a2a-js/sdk/server';
import type { ScopeResolver } from '@a2a-stores/core';
import {
  callContext,
  expectSameTask,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  generateLocalMasterKey,
  LocalAesKeyring,
  SEALED_PREFIX,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { secretPushConfig, secretTask } from './support/secrets.js';

const keyring = new LocalAesKeyring({ keys: { k: generateLocalMasterKey() }, primary: 'k' });

/** Scope from the call's state, as a custom deployment might carry its organisation. */
const byOrg: ScopeResolver = (ctx) => ({
  tenant: String(ctx.state.get('org') ?? ''),
  owner: ctx.user?.userName ?? '',
});

function orgContext(org: string): ServerCallContext {
  const ctx = callContext({ tenant: '', owner: 'alice' });
  ctx.state.set('org', org);
  return ctx;
}

describe("a user's own stores (the SDK's in-memory stores)", () => {
  it('seals and opens through the default scope resolver', async () => {
    const inner = {
      taskStore: new InMemoryTaskStore(),
      pushNotificationStore: new InMemoryPushNotificationStore(),
    };
    const stores = withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS });
    const ctx = callContext(randomScope());
    const { task, secrets } = secretTask();
    await stores.taskStore.save(task, ctx);
    expectSameTask(await stores.taskStore.load(task.id, ctx), task);
    const stored = JSON.stringify(Task.toJSON((await inner.taskStore.load(task.id, ctx))!));
    for (const secret of secrets) expect(stored).not.toContain(secret);

    const { config } = secretPushConfig(task.id, '');
    await stores.pushNotificationStore.save(task.id, ctx, config);
    expect(config.id).not.toBe('');
    await expect(stores.pushNotificationStore.load(task.id, ctx)).resolves.toEqual([config]);
    const [sealed] = await inner.pushNotificationStore.load(task.id, ctx);
    expect(sealed!.token.startsWith(SEALED_PREFIX)).toBe(true);

    // The SDK's stores lack the extended methods: the wrapper says so instead of pretending.
    expect(await rejectionOf(stores.taskStore.loadVersioned(task.id, ctx))).toBeInstanceOf(
      TypeError,
    );
  });

  it('binds ciphertext to the scope of a custom resolver, even over an unscoped store', async () => {
    const inner = {
      taskStore: new InMemoryTaskStore(),
      pushNotificationStore: new InMemoryPushNotificationStore(),
    };
    const stores = withEnvelopeEncryption(inner, {
      keyring,
      taskFields: TASK_FIELDS,
      scopeResolver: byOrg,
    });
    const task = makeTask();
    await stores.taskStore.save(task, orgContext('org-a'));
    expectSameTask(await stores.taskStore.load(task.id, orgContext('org-a')), task);
    // The SDK store is not scoped, so org-b reaches the record; the wrapper refuses to open it.
    expect(await rejectionOf(stores.taskStore.load(task.id, orgContext('org-b')))).toBeInstanceOf(
      DecryptionError,
    );
    const config = makePushConfig(task.id);
    await stores.pushNotificationStore.save(task.id, orgContext('org-a'), config);
    await expect(stores.pushNotificationStore.load(task.id, orgContext('org-b'))).resolves.toEqual(
      [],
    );
  });
});
