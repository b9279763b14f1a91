import type { Task } from '@a2a-js/sdk';
import { createMemoryStores, type Scope, type StoreBundle } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  expectSameTask,
  randomScope,
  rejectionOf,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvelope, RECORD_PREFIX } from '../src/envelope-format.js';
import {
  DecryptionError,
  type EnvelopeEncryptionOptions,
  type Keyring,
  LocalAesKeyring,
  MultiKeyring,
  type PlaintextReadEvent,
  PlaintextRefusedError,
  rotateKeys,
  SEALED_MARKER,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { EnvelopeRewrapper } from '../src/rewrap.js';
import { tamper } from './support/envelope-checks.js';
import { startKmsFixture } from './support/kms-fixture.js';
import {
  V2_MASTER_KEY,
  V2_SCOPE,
  v2AllFields,
  v2HistoryAndArtifacts,
  v2Plain,
} from './support/v2-records.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

const golden = () => new LocalAesKeyring({ keys: { golden: V2_MASTER_KEY }, primary: 'golden' });
const ctxOf = (scope: Scope) => callContext(scope);

function inner(): StoreBundle {
  return createMemoryStores({ pushUrlCheck: conformancePushUrlCheck(), logger: silentLogger() });
}

function wrap(
  stores: StoreBundle,
  keyring: Keyring,
  options: Partial<EnvelopeEncryptionOptions> = {},
) {
  return withEnvelopeEncryption(stores, { keyring, taskFields: TASK_FIELDS, ...options });
}

/** The record envelope of a stored task (format v3), or undefined when it has none. */
function recordText(stored: Task | undefined): string | undefined {
  const text = stored?.metadata?.[SEALED_MARKER];
  return typeof text === 'string' && text.startsWith(RECORD_PREFIX) ? text : undefined;
}

describe('task records: one envelope each (format v3)', () => {
  it('a write stores every sealed field in one envelope, in metadata', async () => {
    const stores = inner();
    const ctx = ctxOf(randomScope());
    const wrapped = wrap(stores, golden());
    const task = v2Plain();
    await wrapped.taskStore.save(task, ctx);
    const stored = (await stores.taskStore.load(task.id, ctx))!;
    expect(Object.keys(stored.metadata!)).toEqual([SEALED_MARKER]);
    expect(recordText(stored)).toBeDefined();
    expect(stored.history).toEqual([]);
    expect(stored.artifacts).toEqual([]);
    expect(stored.status?.message).toBeUndefined();
    expectSameTask(await wrapped.taskStore.load(task.id, ctx), task);
  });

  it('metadata left in clear sits beside the envelope, absent metadata reads back absent', async () => {
    const stores = inner();
    const ctx = ctxOf(randomScope());
    const wrapped = wrap(stores, golden(), { taskFields: ['history'] });
    const withMetadata = { ...v2Plain(), id: 'with', metadata: { k: 'v' } };
    const without = { ...v2Plain(), id: 'without', metadata: undefined };
    for (const task of [withMetadata, without]) await wrapped.taskStore.save(task, ctx);
    const stored = (await stores.taskStore.load('with', ctx))!;
    expect(Object.keys(stored.metadata!)).toEqual(['k', SEALED_MARKER]);
    expect(stored.status?.message?.messageId).toBe('s1');
    expectSameTask(await wrapped.taskStore.load('with', ctx), withMetadata);
    expect((await wrapped.taskStore.load('without', ctx))!.metadata).toBeUndefined();
  });

  for (const cache of [false, true]) {
    it(`per-field records of earlier releases still read (cache ${cache ? 'on' : 'off'})`, async () => {
      const stores = inner();
      const ctx = ctxOf(V2_SCOPE);
      await stores.taskStore.save(v2AllFields(), ctx);
      const wrapped = wrap(stores, golden(), cache ? { cache: true } : {});
      for (let read = 0; read < 2; read++) {
        expectSameTask(await wrapped.taskStore.load('task-v2', ctx), v2Plain());
      }
      // Rewriting it writes the record format.
      await wrapped.taskStore.save(v2Plain(), ctx);
      expect(recordText(await stores.taskStore.load('task-v2', ctx))).toBeDefined();
      expectSameTask(await wrapped.taskStore.load('task-v2', ctx), v2Plain());
    });
  }

  it('strict and migration policies hold for both formats', async () => {
    const stores = inner();
    const ctx = ctxOf(V2_SCOPE);
    // Per-field format, metadata and status message in clear.
    await stores.taskStore.save(v2HistoryAndArtifacts(), ctx);
    const partial = wrap(stores, golden(), { taskFields: ['history', 'artifacts'] });
    expectSameTask(await partial.taskStore.load('task-v2', ctx), v2Plain());
    const strict = wrap(stores, golden());
    const refused = await rejectionOf(strict.taskStore.load('task-v2', ctx));
    expect(refused).toBeInstanceOf(PlaintextRefusedError);
    // Record format, same fields in clear.
    await partial.taskStore.save({ ...v2Plain(), id: 'task-v3' }, ctx);
    const stored = await stores.taskStore.load('task-v3', ctx);
    expect(recordText(stored)).toBeDefined();
    expect(Object.keys(stored!.metadata!)).toEqual(['k', 'n', SEALED_MARKER]);
    expect(await rejectionOf(strict.taskStore.load('task-v3', ctx))).toBeInstanceOf(
      PlaintextRefusedError,
    );
    const events: PlaintextReadEvent[] = [];
    const migrate = wrap(stores, golden(), {
      mode: 'migrate',
      hooks: { onPlaintextRead: (event) => events.push(event) },
    });
    expectSameTask(await migrate.taskStore.load('task-v3', ctx), {
      ...v2Plain(),
      id: 'task-v3',
    });
    expect(events.map((e) => e.field).sort()).toEqual(['metadata', 'statusMessage']);
  });

  it('a tampered, moved or altered record envelope fails closed', async () => {
    const stores = inner();
    const scope = randomScope();
    const ctx = ctxOf(scope);
    const wrapped = wrap(stores, golden());
    const task = { ...v2Plain(), id: 'victim' };
    await wrapped.taskStore.save(task, ctx);
    await wrapped.taskStore.save({ ...v2Plain(), id: 'other' }, ctx);
    const stored = (await stores.taskStore.load('victim', ctx))!;
    const text = recordText(stored)!;
    const readBack = async (candidate: Task, context = ctx) => {
      await stores.taskStore.save(candidate, context);
      return rejectionOf(wrapped.taskStore.load(candidate.id, context));
    };
    // Altered ciphertext.
    expect(
      await readBack({ ...stored, metadata: { [SEALED_MARKER]: tamper(text) } }),
    ).toBeInstanceOf(DecryptionError);
    // Moved to another task of the same scope, and to the same task id in another scope.
    expect(await readBack({ ...stored, id: 'other' })).toBeInstanceOf(DecryptionError);
    expect(await readBack(stored, ctxOf({ ...scope, owner: `${scope.owner}-x` }))).toBeInstanceOf(
      DecryptionError,
    );
    // A clear key slipped in beside sealed metadata; a placeholder slipped into history.
    const extraKey = { ...stored, metadata: { ...stored.metadata, injected: 1 } };
    expect(await readBack(extraKey)).toBeInstanceOf(DecryptionError);
    const v2 = v2AllFields();
    expect(await readBack({ ...stored, history: v2.history })).toBeInstanceOf(DecryptionError);
    // The record envelope where a per-field one is expected, relabelled as v2.
    const relabelled = text.replace(RECORD_PREFIX, 'a2asealed:v2:');
    const asField = await readBack({ ...stored, metadata: { [SEALED_MARKER]: relabelled } });
    expect(asField).toBeInstanceOf(DecryptionError);
    // Nothing above changed what a good envelope opens to.
    await stores.taskStore.save(stored, ctx);
    expectSameTask(await wrapped.taskStore.load('victim', ctx), task);
  });
});

describe('rotation and re-wrap of both formats', () => {
  const twoKeys = () =>
    new LocalAesKeyring({
      keys: { golden: V2_MASTER_KEY, current: Buffer.alloc(32, 7) },
      primary: 'current',
    });

  it('re-wrap converts a per-field record and re-wraps a record envelope', async () => {
    const rewrapper = new EnvelopeRewrapper(twoKeys());
    const converted = (await rewrapper.task(V2_SCOPE, v2AllFields()))!;
    expect(converted.dataKeys).toBe(1);
    const text = recordText(converted.value)!;
    expect(parseEnvelope(text).wrapped.keyId).toBe('current');
    // Already under the primary, in the record format: nothing to do.
    expect(await rewrapper.task(V2_SCOPE, converted.value)).toBeUndefined();
    // A record envelope under the old key: only its wrapped key changes.
    const stores = inner();
    const ctx = ctxOf(V2_SCOPE);
    await wrap(stores, golden()).taskStore.save(v2Plain(), ctx);
    const old = (await stores.taskStore.load('task-v2', ctx))!;
    const rewrapped = (await rewrapper.task(V2_SCOPE, old))!;
    const before = parseEnvelope(recordText(old)!);
    const after = parseEnvelope(recordText(rewrapped.value)!);
    expect(after.wrapped.keyId).toBe('current');
    expect(after.iv).toEqual(before.iv);
    expect(after.sealed).toEqual(before.sealed);
  });

  it('rotateKeys moves both formats to the primary (KMS) in the record format', async () => {
    const stores = inner();
    const ctx = ctxOf(V2_SCOPE);
    await stores.taskStore.save(v2AllFields(), ctx);
    await wrap(stores, golden()).taskStore.save({ ...v2Plain(), id: 'task-v3' }, ctx);
    const kms = fixture.keyring();
    const stores2 = wrap(stores, new MultiKeyring({ primary: kms, others: [golden()] }));
    const result = await rotateKeys({ stores: stores2, scopes: [V2_SCOPE] });
    expect(result.failures).toEqual([]);
    expect(result.tasksRewrapped).toBe(2);
    for (const id of ['task-v2', 'task-v3']) {
      const text = recordText(await stores.taskStore.load(id, ctx));
      expect(text).toBeDefined();
      expect(parseEnvelope(text!).wrapped.provider).toBe('aws-kms');
    }
    // Only the KMS key is needed from now on.
    const kmsOnly = wrap(stores, kms);
    expectSameTask(await kmsOnly.taskStore.load('task-v2', ctx), v2Plain());
    expectSameTask(await kmsOnly.taskStore.load('task-v3', ctx), { ...v2Plain(), id: 'task-v3' });
    // A second run finds nothing to do.
    const again = await rotateKeys({ stores: stores2, scopes: [V2_SCOPE] });
    expect(again.tasksRewrapped).toBe(0);
  });

  for (const [label, stored, fields] of [
    ['every field sealed', v2AllFields, TASK_FIELDS],
    ['metadata and status message in clear', v2HistoryAndArtifacts, ['history', 'artifacts']],
  ] as const) {
    it(`rotateKeys converts per-field records already under the primary (${label})`, async () => {
      const stores = inner();
      const ctx = ctxOf(V2_SCOPE);
      await stores.taskStore.save(stored(), ctx);
      const wrapped = wrap(stores, golden(), { taskFields: fields });
      const result = await rotateKeys({ stores: wrapped, scopes: [V2_SCOPE] });
      expect(result.failures).toEqual([]);
      expect(result.tasksRewrapped).toBe(1);
      const converted = (await stores.taskStore.load('task-v2', ctx))!;
      expect(recordText(converted)).toBeDefined();
      // The same fields stay sealed; the ones in clear stay in clear.
      const clear = fields.length === TASK_FIELDS.length;
      expect(Object.keys(converted.metadata!)).toEqual(
        clear ? [SEALED_MARKER] : ['k', 'n', SEALED_MARKER],
      );
      expect(converted.status?.message?.messageId).toBe(clear ? undefined : 's1');
      expectSameTask(await wrapped.taskStore.load('task-v2', ctx), v2Plain());
    });
  }
});
