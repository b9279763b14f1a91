import { createMemoryStores } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateLocalMasterKey,
  KmsUnavailableError,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { startKmsFixture } from './support/kms-fixture.js';

const capture = new TelemetryCapture();
const fixture = await startKmsFixture();
afterAll(async () => {
  await fixture.close();
  await capture.shutdown();
});

const helpers = { randomScope, callContext, makeTask, makePushConfig };
const lookups = 'a2a_stores.kms.data_key_cache.lookups';
const calls = 'a2a_stores.kms.keyring.calls';

function innerStores() {
  return createMemoryStores({ logger: silentLogger(), pushUrlCheck: conformancePushUrlCheck() });
}

describe('kms wrapper: OpenTelemetry spans and metrics (real SDK)', () => {
  it('store spans pass through the wrapper; keyring calls are spans and counts; no secret leaks', async () => {
    const masterKey = generateLocalMasterKey();
    const stores = withEnvelopeEncryption(innerStores(), {
      keyring: new LocalAesKeyring({
        keys: { 'master-key-id-1': masterKey },
        primary: 'master-key-id-1',
      }),
      taskFields: TASK_FIELDS,
    });
    const generated = await capture.total(calls, {
      'a2a_stores.kms.operation': 'generate_data_key',
    });
    await checkStoreTelemetry(
      capture,
      stores,
      helpers,
      { system: 'memory', taskCollection: 'tasks', pushCollection: 'push_configs' },
      [masterKey, 'master-key-id-1'],
    );
    const spans = capture.spans();
    const kmsSpan = spans.find((s) => s.name === 'kms generate_data_key');
    expect(kmsSpan?.attributes).toEqual({ 'a2a_stores.kms.operation': 'generate_data_key' });
    expect(kmsSpan?.kind).toBe(2);
    // The keyring call joins the caller's trace (the wrapper seals before the inner store runs).
    const task = makeTask();
    capture.reset();
    const caller = await capture.asCaller(() =>
      stores.taskStore.save(task, callContext(randomScope())),
    );
    const nested = capture.spans().find((s) => s.name === 'kms generate_data_key');
    expect(nested?.parentSpanContext?.spanId).toBe(caller);
    expect(
      await capture.total(calls, { 'a2a_stores.kms.operation': 'generate_data_key' }),
    ).toBeGreaterThan(generated);
  });

  it('counts data-key cache hits and misses (AWS KMS client over HTTP)', async () => {
    const keyring = fixture.keyring();
    const stores = withEnvelopeEncryption(innerStores(), {
      keyring,
      taskFields: TASK_FIELDS,
      cache: true,
    });
    const ctx = callContext(randomScope());
    const task = makeTask();
    const side = (s: string, r: string) => ({
      'a2a_stores.kms.cache.side': s,
      'a2a_stores.kms.cache.result': r,
    });
    const before = {
      writeMiss: await capture.total(lookups, side('encrypt', 'miss')),
      writeHit: await capture.total(lookups, side('encrypt', 'hit')),
      readHit: await capture.total(lookups, side('decrypt', 'hit')),
    };
    await stores.taskStore.save(task, ctx);
    await stores.taskStore.save(task, ctx);
    await stores.taskStore.load(task.id, ctx);
    expect(await capture.total(lookups, side('encrypt', 'miss'))).toBe(before.writeMiss + 1);
    expect(await capture.total(lookups, side('encrypt', 'hit'))).toBe(before.writeHit + 1);
    expect(await capture.total(lookups, side('decrypt', 'hit'))).toBeGreaterThan(before.readHit);
  });

  it('counts a failed keyring call by error type and marks its span', async () => {
    class UnreachableKeyring extends LocalAesKeyring {
      override generateDataKey(): never {
        throw new KmsUnavailableError('service down');
      }
    }
    const keyring = new UnreachableKeyring({
      keys: { k1: generateLocalMasterKey() },
      primary: 'k1',
    });
    const stores = withEnvelopeEncryption(innerStores(), { keyring, taskFields: TASK_FIELDS });
    const failed = {
      'a2a_stores.kms.operation': 'generate_data_key',
      'error.type': 'KmsUnavailableError',
    };
    const before = await capture.total(calls, failed);
    capture.reset();
    await expect(
      stores.taskStore.save(makeTask(), callContext(randomScope())),
    ).rejects.toBeInstanceOf(KmsUnavailableError);
    expect(await capture.total(calls, failed)).toBe(before + 1);
    const span = capture.spans().find((s) => s.name === 'kms generate_data_key');
    expect(span?.status.code).toBe(2);
    expect(span?.attributes['error.type']).toBe('KmsUnavailableError');
  });
});
