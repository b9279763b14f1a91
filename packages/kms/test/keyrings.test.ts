import { randomBytes } from 'node:crypto';
import { rejectionOf } from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AwsKmsKeyring,
  DataKeyUnwrapError,
  generateLocalMasterKey,
  KeyringError,
  KmsUnavailableError,
  LocalAesKeyring,
  MultiKeyring,
  translateKmsError,
} from '../src/index.js';
import { startKmsFixture } from './support/kms-fixture.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

const context = { 'a2a-stores:task': 't1', 'a2a-stores:tenant': 'acme' };

describe('LocalAesKeyring', () => {
  it('refuses keys that are not 256-bit, and a primary it does not hold', () => {
    expect(() => new LocalAesKeyring({ keys: { k: randomBytes(16) }, primary: 'k' })).toThrow(
      TypeError,
    );
    expect(
      () => new LocalAesKeyring({ keys: { k: generateLocalMasterKey() }, primary: 'other' }),
    ).toThrow(TypeError);
    expect(() => new LocalAesKeyring({ keys: { '': randomBytes(32) }, primary: '' })).toThrow(
      TypeError,
    );
  });

  it('wraps under the primary and opens only with the same context', async () => {
    const keyring = new LocalAesKeyring({
      keys: { old: randomBytes(32), current: randomBytes(32) },
      primary: 'current',
    });
    const key = await keyring.generateDataKey(context);
    expect(key.plaintext).toHaveLength(32);
    expect(key.wrapped).toMatchObject({ provider: 'local', keyId: 'current' });
    expect(key.wrapped.ciphertext).toHaveLength(60);
    expect((await keyring.unwrapDataKey(key.wrapped, context)).equals(key.plaintext)).toBe(true);
    for (const other of [{ ...context, 'a2a-stores:task': 't2' }, {}]) {
      expect(await rejectionOf(keyring.unwrapDataKey(key.wrapped, other))).toBeInstanceOf(
        DataKeyUnwrapError,
      );
    }
    const truncated = { ...key.wrapped, ciphertext: key.wrapped.ciphertext.slice(0, 20) };
    expect(await rejectionOf(keyring.unwrapDataKey(truncated, context))).toBeInstanceOf(
      DataKeyUnwrapError,
    );
  });

  it('names unknown keys and foreign providers with KeyringError(unknown-key)', async () => {
    const keyring = new LocalAesKeyring({ keys: { k: randomBytes(32) }, primary: 'k' });
    const { wrapped } = await keyring.generateDataKey(context);
    for (const foreign of [
      { ...wrapped, keyId: 'gone' },
      { ...wrapped, provider: 'aws-kms' },
    ]) {
      expect(keyring.canUnwrap(foreign)).toBe(false);
      expect(await rejectionOf(keyring.unwrapDataKey(foreign, context))).toMatchObject({
        code: 'KEY_UNAVAILABLE',
        reason: 'unknown-key',
      });
    }
    keyring.close();
    expect(await rejectionOf(keyring.unwrapDataKey(wrapped, context))).toBeInstanceOf(KeyringError);
  });

  it('re-wraps a data key from a retired key to the primary', async () => {
    const old = randomBytes(32);
    const before = new LocalAesKeyring({ keys: { old }, primary: 'old' });
    const after = new LocalAesKeyring({
      keys: { old, current: randomBytes(32) },
      primary: 'current',
    });
    const key = await before.generateDataKey(context);
    expect(await after.isPrimary(key.wrapped)).toBe(false);
    const rewrapped = await after.rewrapDataKey(key.wrapped, context);
    expect(rewrapped.keyId).toBe('current');
    expect(await after.isPrimary(rewrapped)).toBe(true);
    expect((await after.unwrapDataKey(rewrapped, context)).equals(key.plaintext)).toBe(true);
  });
});

describe('MultiKeyring', () => {
  it('generates with the primary and opens with whichever keyring holds the key', async () => {
    const primary = new LocalAesKeyring({ keys: { p: randomBytes(32) }, primary: 'p' });
    const legacy = new LocalAesKeyring({ keys: { l: randomBytes(32) }, primary: 'l' });
    const multi = new MultiKeyring({ primary, others: [legacy] });
    const fresh = await multi.generateDataKey(context);
    expect(fresh.wrapped.keyId).toBe('p');
    const old = await legacy.generateDataKey(context);
    expect((await multi.unwrapDataKey(old.wrapped, context)).equals(old.plaintext)).toBe(true);
    const moved = await multi.rewrapDataKey(old.wrapped, context);
    expect(moved.keyId).toBe('p');
    expect((await primary.unwrapDataKey(moved, context)).equals(old.plaintext)).toBe(true);
    const stranger = { provider: 'local', keyId: 'nobody', ciphertext: randomBytes(60) };
    expect(multi.canUnwrap(stranger)).toBe(false);
    expect(await rejectionOf(multi.unwrapDataKey(stranger, context))).toMatchObject({
      reason: 'unknown-key',
    });
  });
});

describe('AwsKmsKeyring', () => {
  it('requires key ARNs for decryption', () => {
    const { client } = fixture;
    expect(() => new AwsKmsKeyring({ client, keyId: 'alias/a2a-stores-test' })).toThrow(TypeError);
    expect(
      () =>
        new AwsKmsKeyring({
          client,
          keyId: 'alias/a2a-stores-test',
          decryptKeyArns: ['alias/a2a-stores-test'],
        }),
    ).toThrow(TypeError);
    expect(() => new AwsKmsKeyring({ client, keyId: '' })).toThrow(TypeError);
  });

  it('generates under an alias, records the key ARN, and decrypts quoting that ARN', async () => {
    const keyring = fixture.keyring({
      keyId: 'alias/a2a-stores-test',
      decryptKeyArns: [fixture.key.arn],
    });
    const key = await keyring.generateDataKey(context);
    expect(key.wrapped).toMatchObject({ provider: 'aws-kms', keyId: fixture.key.arn });
    fixture.kms.resetCounts();
    expect((await keyring.unwrapDataKey(key.wrapped, context)).equals(key.plaintext)).toBe(true);
    expect(fixture.kms.requests).toEqual([
      expect.objectContaining({ operation: 'Decrypt', keyId: fixture.key.arn, error: undefined }),
    ]);
    expect(await keyring.primaryKeyArn()).toBe(fixture.key.arn);
    expect(
      await rejectionOf(keyring.unwrapDataKey(key.wrapped, { ...context, extra: 'x' })),
    ).toBeInstanceOf(DataKeyUnwrapError);
  });

  it('refuses to write under a key it could not decrypt with', async () => {
    const other = fixture.kms.createKey({ alias: 'alias/elsewhere' });
    const keyring = fixture.keyring({
      keyId: 'alias/elsewhere',
      decryptKeyArns: [fixture.key.arn],
    });
    const error = await rejectionOf(keyring.generateDataKey(context));
    expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE', reason: 'rejected', keyId: other.arn });
  });

  it('does not decrypt under a key outside decryptKeyArns (no KMS call)', async () => {
    const other = fixture.kms.createKey();
    const writer = fixture.keyring({ keyId: other.arn });
    const { wrapped } = await writer.generateDataKey(context);
    fixture.kms.resetCounts();
    expect(await rejectionOf(fixture.keyring().unwrapDataKey(wrapped, context))).toMatchObject({
      reason: 'unknown-key',
    });
    expect(fixture.kms.requestCount()).toBe(0);
  });
});

describe('translateKmsError matches KMS errors by name', () => {
  const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), {
      name,
      ...(status === undefined
        ? {}
        : { $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' }),
      ...extra,
    });
  const cases: [unknown, (e: unknown) => void][] = [
    ...(
      [
        ['NotFoundException', 'unknown-key'],
        ['DisabledException', 'disabled-key'],
        ['KMSInvalidStateException', 'invalid-key-state'],
        ['AccessDeniedException', 'access-denied'],
        ['UnrecognizedClientException', 'access-denied'],
        ['ValidationException', 'rejected'],
        ['InvalidKeyUsageException', 'rejected'],
      ] as const
    ).map(
      ([name, reason]) =>
        [
          sdkError(name, 400),
          (e: unknown) => expect(e).toMatchObject({ name: 'KeyringError', reason, keyId: 'k' }),
        ] as [unknown, (e: unknown) => void],
    ),
    [
      sdkError('InvalidCiphertextException', 400),
      (e) => expect(e).toBeInstanceOf(DataKeyUnwrapError),
    ],
    [sdkError('IncorrectKeyException', 400), (e) => expect(e).toBeInstanceOf(DataKeyUnwrapError)],
    [sdkError('KMSInternalException', 500), (e) => expect(e).toBeInstanceOf(KmsUnavailableError)],
    [sdkError('ThrottlingException', 400), (e) => expect(e).toBeInstanceOf(KmsUnavailableError)],
    [sdkError('Unknown', 503), (e) => expect(e).toBeInstanceOf(KmsUnavailableError)],
    [sdkError('TimeoutError'), (e) => expect(e).toBeInstanceOf(KmsUnavailableError)],
    [
      sdkError('Error', undefined, { code: 'ECONNREFUSED' }),
      (e) => expect(e).toBeInstanceOf(KmsUnavailableError),
    ],
  ];
  it.each(cases.map(([error, check]) => [(error as Error).name, error, check]))(
    '%s',
    (_name, error, check) => {
      (check as (e: unknown) => void)(translateKmsError(error, 'Decrypt', 'k'));
    },
  );
});
