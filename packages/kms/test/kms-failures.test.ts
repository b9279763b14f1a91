import { createMemoryStores, type StoreBundle } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  expectSameTask,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { formatEnvelope, parseEnvelope } from '../src/envelope-format.js';
import {
  DecryptionError,
  type Keyring,
  KeyringError,
  KmsUnavailableError,
  LocalAesKeyring,
  SEALED_MARKER,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { startKmsFixture } from './support/kms-fixture.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

function open(keyring: Keyring, inner: StoreBundle = innerStores()) {
  const stores = withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS });
  const scope = randomScope();
  return { inner, stores, scope, ctx: callContext(scope) };
}

function innerStores(): StoreBundle {
  return createMemoryStores({ pushUrlCheck: conformancePushUrlCheck() });
}

/** A fresh key of the endpoint and a keyring under it, so tests never share key state. */
function freshKey() {
  const key = fixture.kms.createKey();
  return { key, keyring: fixture.keyring({ keyId: key.arn }) };
}

/**
 * Saves v1 of a task and a push config, then runs `breakIt`, and checks that a write of v2 and
 * of a new config fail with `expected`, leaving v1 and no new config behind; reads fail too.
 */
async function expectWritesRefused(
  keyring: Keyring,
  breakIt: () => void | Promise<void>,
  expected: (error: unknown) => void,
  { readsFail = true } = {},
) {
  const env = open(keyring);
  const task = makeTask({ historyLength: 2 });
  await env.stores.taskStore.save(task, env.ctx);
  const before = await env.inner.taskStore.loadVersioned(task.id, env.ctx);
  await breakIt();
  const v2 = { ...task, history: [...task.history, ...makeTask().history] };
  expected(await rejectionOf(env.stores.taskStore.save(v2, env.ctx)));
  expected(await rejectionOf(env.stores.taskStore.saveIfVersion(v2, env.ctx, before!.version)));
  const fresh = makeTask();
  expected(await rejectionOf(env.stores.taskStore.save(fresh, env.ctx)));
  const config = makePushConfig(task.id, { id: '' });
  expected(await rejectionOf(env.stores.pushNotificationStore.save(task.id, env.ctx, config)));
  // Nothing partial: the previous version, no new task, no config, and no id assigned.
  expect(config.id).toBe('');
  await expect(env.inner.taskStore.loadVersioned(task.id, env.ctx)).resolves.toEqual(before);
  await expect(env.inner.taskStore.load(fresh.id, env.ctx)).resolves.toBeUndefined();
  await expect(env.inner.pushNotificationStore.load(task.id, env.ctx)).resolves.toEqual([]);
  if (readsFail) {
    expected(await rejectionOf(env.stores.taskStore.load(task.id, env.ctx)));
    expected(await rejectionOf(env.stores.taskStore.list(listRequest(), env.ctx)));
  }
  return { env, task };
}

const keyringError = (reason: string) => (error: unknown) => {
  expect(error).toBeInstanceOf(KeyringError);
  expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE', reason });
};

const unavailable = (error: unknown) => {
  expect(error).toBeInstanceOf(KmsUnavailableError);
  expect(error).toMatchObject({ code: 'KMS_UNAVAILABLE' });
};

describe('KMS key failures give typed errors and write nothing partial', () => {
  it('a disabled key: KeyringError(disabled-key); enabling it again restores service', async () => {
    const { key, keyring } = freshKey();
    const { env, task } = await expectWritesRefused(
      keyring,
      () => fixture.kms.setKeyState(key.arn, 'Disabled'),
      keyringError('disabled-key'),
    );
    fixture.kms.setKeyState(key.arn, 'Enabled');
    expectSameTask(await env.stores.taskStore.load(task.id, env.ctx), task);
  });

  it('a key pending deletion: KeyringError(invalid-key-state)', async () => {
    const { key, keyring } = freshKey();
    await expectWritesRefused(
      keyring,
      () => fixture.kms.setKeyState(key.arn, 'PendingDeletion'),
      keyringError('invalid-key-state'),
    );
  });

  it('access denied by the key policy: KeyringError(access-denied)', async () => {
    const { key, keyring } = freshKey();
    await expectWritesRefused(
      keyring,
      () => fixture.kms.denyAccess(key.arn, fixture.kms.credentials.accessKeyId),
      keyringError('access-denied'),
    );
  });

  it('a request signed with the wrong secret: KeyringError(access-denied)', async () => {
    const client = fixture.clientWith({
      accessKeyId: fixture.kms.credentials.accessKeyId,
      secretAccessKey: 'not-the-secret',
    });
    const keyring = fixture.keyring({ client });
    const env = open(keyring);
    const error = await rejectionOf(env.stores.taskStore.save(makeTask(), env.ctx));
    keyringError('access-denied')(error);
    expect((error as KeyringError).message).toContain('InvalidSignatureException');
  });

  it('an unknown KMS key id: KeyringError(unknown-key) and nothing stored', async () => {
    const missing = `arn:aws:kms:${fixture.kms.region}:${fixture.kms.accountId}:key/00000000-0000-4000-8000-000000000000`;
    const env = open(fixture.keyring({ keyId: missing }));
    const task = makeTask();
    keyringError('unknown-key')(await rejectionOf(env.stores.taskStore.save(task, env.ctx)));
    await expect(env.inner.taskStore.load(task.id, env.ctx)).resolves.toBeUndefined();
  });

  it('a ciphertext under a key the keyring does not hold: KeyringError(unknown-key), no KMS call', async () => {
    const inner = innerStores();
    const writer = open(freshKey().keyring, inner);
    const task = makeTask();
    await writer.stores.taskStore.save(task, writer.ctx);
    const reader = withEnvelopeEncryption(inner, {
      keyring: freshKey().keyring,
      taskFields: TASK_FIELDS,
    });
    fixture.kms.resetCounts();
    keyringError('unknown-key')(await rejectionOf(reader.taskStore.load(task.id, writer.ctx)));
    expect(fixture.kms.requestCount()).toBe(0);

    const local = withEnvelopeEncryption(inner, {
      keyring: new LocalAesKeyring({ keys: { other: Buffer.alloc(32, 7) }, primary: 'other' }),
      taskFields: TASK_FIELDS,
    });
    keyringError('unknown-key')(await rejectionOf(local.taskStore.load(task.id, writer.ctx)));
  });

  it('a tampered wrapped data key is refused by KMS: DecryptionError', async () => {
    const env = open(freshKey().keyring);
    const task = makeTask({ metadata: { note: 'confidential' } });
    await env.stores.taskStore.save(task, env.ctx);
    const sealed = (await env.inner.taskStore.load(task.id, env.ctx))!;
    const envelope = parseEnvelope(sealed.metadata![SEALED_MARKER] as string);
    const wrapped = Buffer.from(envelope.wrapped.ciphertext);
    wrapped[wrapped.length - 3]! ^= 0x01;
    const forged = formatEnvelope({
      ...envelope,
      wrapped: { ...envelope.wrapped, ciphertext: wrapped },
    });
    await env.inner.taskStore.save({ ...sealed, metadata: { [SEALED_MARKER]: forged } }, env.ctx);
    const error = await rejectionOf(env.stores.taskStore.load(task.id, env.ctx));
    expect(error).toBeInstanceOf(DecryptionError);
    // One envelope per record: the error names it, not a field.
    expect(error).toMatchObject({ code: 'DECRYPTION_FAILED', field: 'record' });
    expect(fixture.kms.requests.at(-1)).toMatchObject({
      operation: 'Decrypt',
      error: 'InvalidCiphertextException',
    });
  });
});

describe('a KMS outage gives KmsUnavailableError, writes nothing, and service recovers', () => {
  const outages = [
    {
      name: 'HTTP 500 KMSInternalException',
      start: () => fixture.kms.setOutage('http-500'),
      end: () => fixture.kms.setOutage(undefined),
    },
    {
      name: 'connection reset',
      start: () => fixture.kms.setOutage('connection-reset'),
      end: () => fixture.kms.setOutage(undefined),
    },
    {
      name: 'endpoint stopped (connection refused)',
      start: () => fixture.kms.stop(),
      end: () => fixture.kms.start(),
    },
  ];
  for (const outage of outages) {
    it(outage.name, async () => {
      const { keyring } = freshKey();
      try {
        const { env, task } = await expectWritesRefused(keyring, outage.start, unavailable);
        await outage.end();
        expectSameTask(await env.stores.taskStore.load(task.id, env.ctx), task);
        const next = makeTask();
        await env.stores.taskStore.save(next, env.ctx);
        expectSameTask(await env.stores.taskStore.load(next.id, env.ctx), next);
      } finally {
        await outage.end();
      }
    });
  }
});
