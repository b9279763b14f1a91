import { Task } from '@a2a-js/sdk';
import { createMemoryStores } from '@a2a-stores/core';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { describe, expect, it } from 'vitest';
import { decodeCanonicalBase64url } from '../src/base64url.js';
import { resolveCacheLimits } from '../src/data-key-cache.js';
import { DataKeySource, type WriteKey } from '../src/data-key-source.js';
import { parseEnvelope, SEALED_PREFIX } from '../src/envelope-format.js';
import {
  DecryptionError,
  SEALED_MARKER,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import type { RecordBinding } from '../src/record-binding.js';
import { type PlainField, RecordSealer } from '../src/record-sealer.js';
import { CountingKeyring } from './support/counting-keyring.js';

const scope = { tenant: 'acme', owner: 'alice' };
const record: RecordBinding = { kind: 'task', scope, taskId: 'task-1', configId: '' };
const fields: PlainField[] = [
  { field: 'history', plaintext: Buffer.from('[{"messageId":"m1"}]') },
  { field: 'metadata', plaintext: Buffer.from('{"a":1}') },
];
const texts = (sealed: readonly { field: string }[], values: readonly string[]) =>
  sealed.map(({ field }, i) => ({ field, text: values[i]! }));
const zeroed = (key: Buffer) => key.every((byte) => byte === 0);

/** A key source that keeps every key it hands out, to check the sealer zeroes them. */
class WatchedKeySource extends DataKeySource {
  readonly handedOut: Buffer[] = [];
  override cachedForWrite(partition: string, bytes: number): WriteKey | undefined {
    const key = super.cachedForWrite(partition, bytes);
    if (key) this.handedOut.push(key.plaintext);
    return key;
  }
  override cachedForRead(
    partition: string,
    wrapped: Parameters<DataKeySource['cachedForRead']>[1],
    bytes: number,
  ): Buffer | undefined {
    const key = super.cachedForRead(partition, wrapped, bytes);
    if (key) this.handedOut.push(key);
    return key;
  }
}

function cachedSealer(keyring = new CountingKeyring()) {
  const keys = new WatchedKeySource(keyring, {
    limits: resolveCacheLimits({}),
    encrypt: true,
    decrypt: true,
  });
  return { keyring, keys, sealer: new RecordSealer(keys) };
}

describe('synchronous cache-hit path', () => {
  it('seals and opens without the keyring once the record key is cached, and zeroes every key', async () => {
    const { keyring, keys, sealer } = cachedSealer();
    expect(sealer.sealCached(record, fields)).toBeUndefined();
    expect(keyring.calls).toBe(0);
    const first = await sealer.seal(record, fields);
    expect(keyring.calls).toBe(1);

    const second = sealer.sealCached(record, fields)!;
    expect(second).toHaveLength(2);
    const opened = sealer.openCached(record, texts(fields, second))!;
    expect(opened.map((b) => b.toString('utf8'))).toEqual(
      fields.map((f) => f.plaintext.toString('utf8')),
    );
    expect((await sealer.open(record, texts(fields, first))).map(String)).toEqual(
      opened.map(String),
    );
    expect(keyring.calls).toBe(1);
    expect(keys.handedOut.length).toBeGreaterThanOrEqual(3);
    expect(keys.handedOut.every(zeroed)).toBe(true);
    keys.wipe();
  });

  it('draws a fresh IV for every field of every write under a cached key', async () => {
    const { keys, sealer } = cachedSealer();
    const writes = [await sealer.seal(record, fields)];
    for (let i = 0; i < 20; i++) writes.push(sealer.sealCached(record, fields)!);
    const envelopes = writes.flat().map(parseEnvelope);
    const ivs = new Set(envelopes.map((e) => e.iv.toString('hex')));
    expect(ivs.size).toBe(envelopes.length);
    // One data key for all of them: the cache served the same record.
    expect(
      new Set(envelopes.map((e) => Buffer.from(e.wrapped.ciphertext).toString('hex'))).size,
    ).toBe(1);
    keys.wipe();
  });

  it('misses for another record, and a value moved there or to another field does not open', async () => {
    const { keyring, keys, sealer } = cachedSealer();
    const sealed = await sealer.seal(record, fields);
    const other: RecordBinding = { ...record, taskId: 'task-2' };
    const moved = texts(fields, sealed);
    expect(sealer.openCached(other, moved)).toBeUndefined();
    expect(sealer.sealCached(other, fields)).toBeUndefined();
    expect(keyring.calls).toBe(1);
    await expect(sealer.open(other, moved)).rejects.toBeInstanceOf(DecryptionError);
    const otherScope: RecordBinding = { ...record, scope: { tenant: 'acme', owner: 'bob' } };
    await expect(sealer.open(otherScope, moved)).rejects.toBeInstanceOf(DecryptionError);
    // The foreign lookups left the record's own cached key in place.
    expect(sealer.openCached(record, moved)?.map(String)).toEqual(
      fields.map((f) => f.plaintext.toString('utf8')),
    );
    expect(keyring.calls).toBe(3);
    // Same record, other field: the key is cached, so the synchronous path refuses it itself.
    const swapped = [{ field: 'metadata', text: sealed[0]! }];
    expect(() => sealer.openCached(record, swapped)).toThrow(DecryptionError);
    expect(keys.handedOut.every(zeroed)).toBe(true);
    keys.wipe();
  });

  it('opens fields sealed under two data keys when only one of them is cached', async () => {
    const writer = cachedSealer();
    const reader = cachedSealer(writer.keyring);
    const [history] = await writer.sealer.seal(record, [fields[0]!]);
    writer.keys.wipe();
    const [metadata] = await writer.sealer.seal(record, [fields[1]!]);
    // The reader learns the history key, then meets a record whose metadata key it lacks.
    await reader.sealer.open(record, [{ field: 'history', text: history! }]);
    const both = [
      { field: 'history', text: history! },
      { field: 'metadata', text: metadata! },
    ];
    expect(reader.sealer.openCached(record, both)).toBeUndefined();
    expect((await reader.sealer.open(record, both)).map(String)).toEqual(
      fields.map((f) => f.plaintext.toString('utf8')),
    );
    expect(reader.sealer.openCached(record, both)?.map(String)).toEqual(
      fields.map((f) => f.plaintext.toString('utf8')),
    );
    expect(reader.keys.handedOut.every(zeroed)).toBe(true);
    writer.keys.wipe();
    reader.keys.wipe();
  });

  it('is not taken when the cache is off', async () => {
    const keyring = new CountingKeyring();
    const sealer = new RecordSealer(new DataKeySource(keyring, undefined));
    const sealed = await sealer.seal(record, fields);
    expect(sealer.sealCached(record, fields)).toBeUndefined();
    expect(sealer.openCached(record, texts(fields, sealed))).toBeUndefined();
    expect(keyring.calls).toBe(1);
  });

  it('through the store: hits read back exactly, a tampered value is reported and refused', async () => {
    const keyring = new CountingKeyring();
    const corrupt: string[] = [];
    const inner = createMemoryStores();
    const stores = withEnvelopeEncryption(inner, {
      keyring,
      taskFields: TASK_FIELDS,
      cache: true,
      hooks: { onCorruptRecord: (event) => corrupt.push(event.recordId) },
    });
    const ctx = callContext(randomScope());
    const task = makeTask({ artifactCount: 1, metadata: { a: 1, nested: { b: [1, 'x'] } } });
    await stores.taskStore.save(task, ctx);
    await stores.taskStore.save(task, ctx);
    const loaded = await stores.taskStore.load(task.id, ctx);
    expect(Task.toJSON(loaded!)).toEqual(Task.toJSON(task));
    expect(keyring.calls).toBe(1);

    const sealed = (await inner.taskStore.load(task.id, ctx))!;
    const value = sealed.metadata![SEALED_MARKER] as string;
    // A character of the tag, inside a full base64 group: still canonical, so GCM must refuse it.
    const at = value.length - 8;
    const flipped = `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
    await inner.taskStore.save({ ...sealed, metadata: { [SEALED_MARKER]: flipped } }, ctx);
    await expect(stores.taskStore.load(task.id, ctx)).rejects.toBeInstanceOf(DecryptionError);
    expect(corrupt).toEqual([task.id]);
    expect(keyring.calls).toBe(1);
    await stores.close();
  });
});

describe('canonical base64url decoding from an offset', () => {
  it('agrees with decoding the slice, and refuses non-ASCII anywhere in the text', () => {
    const text = `${SEALED_PREFIX}${Buffer.from('some envelope bytes!').toString('base64url')}`;
    const start = SEALED_PREFIX.length;
    expect(decodeCanonicalBase64url(text, start)?.toString()).toBe('some envelope bytes!');
    for (const variant of [`${text}=`, `${text}A`, text.replace('-', '+'), `${text}\u0141`]) {
      expect(decodeCanonicalBase64url(variant, start)).toEqual(
        decodeCanonicalBase64url(variant.slice(start)),
      );
    }
    expect(decodeCanonicalBase64url(`\u0141${text.slice(1)}`, start)).toBeUndefined();
    expect(decodeCanonicalBase64url('AAAA', 5)).toBeUndefined();
  });
});
