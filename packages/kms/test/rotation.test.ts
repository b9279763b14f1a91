import type { Task } from '@a2a-js/sdk';
import type { StoredPushNotificationConfig } from '@a2a-js/sdk/server';
import { createMemoryStores, type Scope, type StoreBundle } from '@a2a-stores/core';
import {
  conformancePushUrlCheck,
  expectSameTask,
  isoAt,
  makePushConfig,
  randomScope,
  rejectionOf,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { type Envelope, parseEnvelope } from '../src/envelope-format.js';
import {
  DecryptionError,
  defaultScopeContext,
  generateLocalMasterKey,
  type Keyring,
  LocalAesKeyring,
  MultiKeyring,
  type RotationProgress,
  rotateKeys,
  SEALED_MARKER,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { tamper } from './support/envelope-checks.js';
import { startKmsFixture } from './support/kms-fixture.js';
import { secretTask } from './support/secrets.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

interface Written {
  readonly scope: Scope;
  readonly tasks: Task[];
  readonly configs: Map<string, StoredPushNotificationConfig[]>;
}

function innerStores(): StoreBundle {
  return createMemoryStores({ pushUrlCheck: conformancePushUrlCheck(), logger: silentLogger() });
}

const wrap = (inner: StoreBundle, keyring: Keyring) =>
  withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS });

/** Writes `counts[i]` tasks (two push configs each, wire versions 0.3 and 1.0) per scope. */
async function writeData(inner: StoreBundle, keyring: Keyring, scopes: Scope[], counts: number[]) {
  const stores = wrap(inner, keyring);
  const written: Written[] = [];
  for (const [i, scope] of scopes.entries()) {
    const tasks: Task[] = [];
    const configs = new Map<string, StoredPushNotificationConfig[]>();
    for (let n = 0; n < counts[i]!; n++) {
      const { task } = secretTask({ timestamp: isoAt(n) });
      await stores.taskStore.save(task, defaultScopeContext(scope));
      const legacy = makePushConfig(task.id, { id: 'legacy' });
      const current = makePushConfig(task.id, { id: 'current' });
      await stores.pushNotificationStore.save(task.id, defaultScopeContext(scope), legacy);
      await stores.pushNotificationStore.save(task.id, defaultScopeContext(scope, '1.0'), current);
      tasks.push(task);
      configs.set(task.id, [
        { config: legacy, wireVersion: '0.3' },
        { config: current, wireVersion: '1.0' },
      ]);
    }
    written.push({ scope, tasks, configs });
  }
  return written;
}

/** Every envelope the inner store holds for the written records. */
async function storedEnvelopes(inner: StoreBundle, written: Written[]): Promise<Envelope[]> {
  const envelopes: Envelope[] = [];
  for (const { scope, tasks } of written) {
    const ctx = defaultScopeContext(scope);
    for (const task of tasks) {
      const sealed = (await inner.taskStore.load(task.id, ctx))!;
      envelopes.push(parseEnvelope(sealed.metadata![SEALED_MARKER] as string));
      for (const config of await inner.pushNotificationStore.load(task.id, ctx)) {
        envelopes.push(
          parseEnvelope(config.token),
          parseEnvelope(config.authentication!.credentials),
        );
      }
    }
  }
  return envelopes;
}

/** Every record reads back exactly through `keyring`, configs in order with their wire versions. */
async function expectAllOpen(inner: StoreBundle, keyring: Keyring, written: Written[]) {
  const stores = wrap(inner, keyring);
  for (const { scope, tasks, configs } of written) {
    const ctx = defaultScopeContext(scope);
    for (const task of tasks) {
      expectSameTask(await stores.taskStore.load(task.id, ctx), task);
      await expect(stores.pushNotificationStore.loadWithMetadata(task.id, ctx)).resolves.toEqual(
        configs.get(task.id),
      );
    }
  }
}

const dataKeysOf = (written: Written[]) => written.reduce((sum, w) => sum + w.tasks.length * 3, 0); // a task, and two configs per task

describe('rotation with local keyrings', () => {
  const k1 = generateLocalMasterKey();
  const k2 = generateLocalMasterKey();
  const old = () => new LocalAesKeyring({ keys: { k1 }, primary: 'k1' });
  const both = () => new LocalAesKeyring({ keys: { k1, k2 }, primary: 'k2' });
  const next = () => new LocalAesKeyring({ keys: { k2 }, primary: 'k2' });
  const scopes = () => [randomScope(), randomScope(), { tenant: randomScope().tenant, owner: '' }];

  it('re-wraps every data key in batches, leaves the data ciphertext alone, and the old key can go', async () => {
    const inner = innerStores();
    const written = await writeData(inner, old(), scopes(), [7, 3, 1]);
    const before = await storedEnvelopes(inner, written);
    expect(new Set(before.map((e) => e.wrapped.keyId))).toEqual(new Set(['k1']));

    const progress: RotationProgress[] = [];
    const result = await rotateKeys({
      stores: wrap(inner, both()),
      scopes: written.map((w) => w.scope),
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      scopesDone: 3,
      tasksScanned: 11,
      tasksRewrapped: 11,
      pushConfigsRewrapped: 22,
      dataKeysRewrapped: dataKeysOf(written),
      failures: [],
    });
    // 4 pages in the first scope, 2 in the second, 1 in the third: a checkpoint after each.
    expect(progress.map((p) => p.checkpoint.scopeIndex)).toEqual([0, 0, 0, 1, 1, 2, 3]);
    expect(progress.at(-1)!.checkpoint).toEqual({ scopeIndex: 3, pageToken: '' });

    const after = await storedEnvelopes(inner, written);
    expect(new Set(after.map((e) => e.wrapped.keyId))).toEqual(new Set(['k2']));
    after.forEach((envelope, i) => {
      expect(envelope.iv.equals(before[i]!.iv)).toBe(true);
      expect(envelope.sealed.equals(before[i]!.sealed)).toBe(true);
    });
    await expectAllOpen(inner, next(), written);

    const again = await rotateKeys({
      stores: wrap(inner, next()),
      scopes: written.map((w) => w.scope),
    });
    expect(again).toMatchObject({ tasksScanned: 11, tasksRewrapped: 0, dataKeysRewrapped: 0 });
  });

  it('resumes from the last checkpoint after an interruption, re-wrapping nothing twice', async () => {
    const inner = innerStores();
    const written = await writeData(inner, old(), scopes(), [5, 4, 0]);
    const controller = new AbortController();
    let checkpoint: RotationProgress['checkpoint'] | undefined;
    let firstRun = 0;
    const interrupted = rotateKeys({
      stores: wrap(inner, both()),
      scopes: written.map((w) => w.scope),
      batchSize: 2,
      signal: controller.signal,
      onProgress: (p) => {
        checkpoint = p.checkpoint;
        firstRun = p.tasksRewrapped;
        controller.abort();
      },
    });
    expect(await rejectionOf(interrupted)).toMatchObject({ name: 'AbortError' });
    expect(firstRun).toBe(2);
    const resumed = await rotateKeys({
      stores: wrap(inner, both()),
      scopes: written.map((w) => w.scope),
      batchSize: 2,
      resumeFrom: checkpoint!,
    });
    expect(resumed.tasksRewrapped).toBe(7);
    expect(firstRun + resumed.tasksRewrapped).toBe(9);
    await expectAllOpen(inner, next(), written);
  });

  it('reports a record it cannot re-wrap and carries on with the others', async () => {
    const inner = innerStores();
    const [written] = await writeData(inner, old(), [randomScope()], [3]);
    const ctx = defaultScopeContext(written!.scope);
    const [damaged, garbled] = written!.tasks;
    // Damaged data ciphertext: its key is intact, so it is re-wrapped (and still fails closed).
    const sealed = (await inner.taskStore.load(damaged!.id, ctx))!;
    const value = sealed.metadata![SEALED_MARKER] as string;
    await inner.taskStore.save({ ...sealed, metadata: { [SEALED_MARKER]: tamper(value) } }, ctx);
    // A garbled envelope names no key: it cannot be re-wrapped.
    const other = (await inner.taskStore.load(garbled!.id, ctx))!;
    await inner.taskStore.save(
      { ...other, metadata: { [SEALED_MARKER]: 'a2asealed:v1:AAAA' } },
      ctx,
    );
    const result = await rotateKeys({ stores: wrap(inner, both()), scopes: [written!.scope] });
    expect(result.tasksRewrapped).toBe(2);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ scope: written!.scope, taskId: garbled!.id });
    expect(result.failures[0]!.error).toBeInstanceOf(DecryptionError);
    const reader = wrap(inner, next());
    expect(await rejectionOf(reader.taskStore.load(damaged!.id, ctx))).toBeInstanceOf(
      DecryptionError,
    );
    expectSameTask(await reader.taskStore.load(written!.tasks[2]!.id, ctx), written!.tasks[2]!);
  });

  it('refuses a contextFor that does not map to the scope it is given', async () => {
    const inner = innerStores();
    const error = await rejectionOf(
      rotateKeys({
        stores: wrap(inner, both()),
        scopes: [randomScope()],
        contextFor: () => defaultScopeContext(randomScope()),
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('rotation with AWS KMS', () => {
  it('ReEncrypt moves every data key to the new KMS key; the old key can then be disabled', async () => {
    const keyA = fixture.kms.createKey();
    const keyB = fixture.kms.createKey();
    const inner = innerStores();
    const written = await writeData(
      inner,
      fixture.keyring({ keyId: keyA.arn }),
      [randomScope()],
      [4],
    );
    fixture.kms.resetCounts();
    const result = await rotateKeys({
      stores: wrap(
        inner,
        fixture.keyring({ keyId: keyB.arn, decryptKeyArns: [keyA.arn, keyB.arn] }),
      ),
      scopes: written.map((w) => w.scope),
    });
    expect(result.dataKeysRewrapped).toBe(dataKeysOf(written));
    expect(fixture.kms.requestCount('ReEncrypt')).toBe(dataKeysOf(written));
    expect(fixture.kms.requestCount('Decrypt')).toBe(0);
    expect(fixture.kms.requestCount('GenerateDataKey')).toBe(0);
    fixture.kms.setKeyState(keyA.arn, 'Disabled');
    await expectAllOpen(inner, fixture.keyring({ keyId: keyB.arn }), written);
    const envelopes = await storedEnvelopes(inner, written);
    expect(new Set(envelopes.map((e) => e.wrapped.keyId))).toEqual(new Set([keyB.arn]));
  });

  it('moves from a local keyring to KMS through a MultiKeyring (KMS Encrypt)', async () => {
    const local = new LocalAesKeyring({ keys: { dev: generateLocalMasterKey() }, primary: 'dev' });
    const key = fixture.kms.createKey({ alias: 'alias/rotation-target' });
    const inner = innerStores();
    const written = await writeData(inner, local, [randomScope()], [3]);
    const kms = fixture.keyring({ keyId: 'alias/rotation-target', decryptKeyArns: [key.arn] });
    fixture.kms.resetCounts();
    const result = await rotateKeys({
      stores: wrap(inner, new MultiKeyring({ primary: kms, others: [local] })),
      scopes: written.map((w) => w.scope),
    });
    expect(result.dataKeysRewrapped).toBe(dataKeysOf(written));
    expect(fixture.kms.requestCount('Encrypt')).toBe(dataKeysOf(written));
    local.close();
    await expectAllOpen(inner, kms, written);
    // A second run finds everything under the alias's key: the alias is resolved to its ARN
    // once (DescribeKey), and nothing is re-wrapped.
    fixture.kms.resetCounts();
    const again = await rotateKeys({
      stores: wrap(inner, kms),
      scopes: written.map((w) => w.scope),
    });
    expect(again.dataKeysRewrapped).toBe(0);
    expect(fixture.kms.requestCount('DescribeKey')).toBe(1);
    expect(fixture.kms.requestCount()).toBe(1);
  });
});
