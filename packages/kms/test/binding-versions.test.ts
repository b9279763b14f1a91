import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { type CorruptRecordEvent, createMemoryStores } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  randomScope,
} from '@a2a-stores/core/conformance';
import { describe, expect, it } from 'vitest';
import { DataKeySource } from '../src/data-key-source.js';
import { parseEnvelope, SEALED_PREFIX } from '../src/envelope-format.js';
import {
  generateLocalMasterKey,
  LocalAesKeyring,
  MultiKeyring,
  withEnvelopeEncryption,
} from '../src/index.js';
import { openPushConfig } from '../src/push-secrets.js';
import { RecordSealer } from '../src/record-sealer.js';
import { EnvelopeRewrapper } from '../src/rewrap.js';

// Issue #17 item 7: format v2 binds a push config's `authentication.scheme` to its credentials;
// values sealed by the previous release (v1) keep opening and keep their version through
// rotation.

const GOLDEN_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
/** Sealed by the v1 release for acme/alice, task-1, cfg-2, https://hooks.example/a. */
const V1_TOKEN =
  'a2asealed:v1:AQVsb2NhbAAGZ29sZGVuADxgVSs4IN6JKCIRPC0-UyBKjwYKCLv6wsMEAuWQ_6Tih8WPKIxM6csKZY5VqFXRuiDWvyXL1lLK15JtMnGMyoQkWZNeLZNppis_4YGKgq60EwruUUL9jeWEO1-LjXo';
const V1_CREDENTIALS =
  'a2asealed:v1:AQVsb2NhbAAGZ29sZGVuADxgVSs4IN6JKCIRPC0-UyBKjwYKCLv6wsMEAuWQ_6Tih8WPKIxM6csKZY5VqFXRuiDWvyXL1lLK15JtMnE6Cx7TAFsS2Icg1-DNTDOEYc1Z6HWCYPPWlf3A-6xQjV3QnA';
const v1Config: TaskPushNotificationConfig = {
  tenant: '',
  id: 'cfg-2',
  taskId: 'task-1',
  url: 'https://hooks.example/a',
  token: V1_TOKEN,
  authentication: { scheme: 'Bearer', credentials: V1_CREDENTIALS },
};
const scope = { tenant: 'acme', owner: 'alice' };
const golden = () => new LocalAesKeyring({ keys: { golden: GOLDEN_KEY }, primary: 'golden' });

function open(sealer: RecordSealer, config: TaskPushNotificationConfig) {
  return openPushConfig(sealer, scope, 'task-1', config, true, () => {});
}

function wrapped() {
  const keyring = new LocalAesKeyring({ keys: { k: generateLocalMasterKey() }, primary: 'k' });
  const inner = createMemoryStores({ pushUrlCheck: conformancePushUrlCheck() });
  const corrupt: CorruptRecordEvent[] = [];
  const stores = withEnvelopeEncryption(inner, {
    keyring,
    hooks: { onCorruptRecord: (event) => corrupt.push(event) },
  });
  return { inner, stores, corrupt, ctx: callContext(randomScope()) };
}

describe('format v2 binds the credentials scheme', () => {
  it('a stored scheme changed without the wrapper does not open', async () => {
    const env = wrapped();
    const config = makePushConfig('t-1');
    await env.stores.pushNotificationStore.save('t-1', env.ctx, config);
    const [stored] = await env.inner.pushNotificationStore.load('t-1', env.ctx);
    expect(stored!.authentication!.credentials.startsWith(SEALED_PREFIX)).toBe(true);
    expect(parseEnvelope(stored!.token).version).toBe(2);
    const tampered = {
      ...stored!,
      authentication: { ...stored!.authentication!, scheme: 'Basic' },
    };
    await env.inner.pushNotificationStore.save('t-1', env.ctx, tampered);
    expect(await env.stores.pushNotificationStore.load('t-1', env.ctx)).toEqual([]);
    expect(await env.stores.pushNotificationStore.loadWithMetadata('t-1', env.ctx)).toEqual([]);
    expect(env.corrupt.map((e) => [e.recordId, (e.error as { code?: string }).code])).toEqual([
      [config.id, 'DECRYPTION_FAILED'],
      [config.id, 'DECRYPTION_FAILED'],
    ]);
    // Put back, it opens again: the refusal came from the scheme alone.
    await env.inner.pushNotificationStore.save('t-1', env.ctx, stored!);
    expect(await env.stores.pushNotificationStore.load('t-1', env.ctx)).toEqual([config]);
  });

  it('a v2 value relabelled as v1 (no scheme bound) does not open', async () => {
    const env = wrapped();
    const config = makePushConfig('t-1');
    await env.stores.pushNotificationStore.save('t-1', env.ctx, config);
    const [stored] = await env.inner.pushNotificationStore.load('t-1', env.ctx);
    const relabel = (text: string) => {
      const bytes = Buffer.from(text.slice(SEALED_PREFIX.length), 'base64url');
      bytes[0] = 1;
      return `a2asealed:v1:${bytes.toString('base64url')}`;
    };
    const downgraded = {
      ...stored!,
      token: relabel(stored!.token),
      authentication: {
        scheme: 'Basic',
        credentials: relabel(stored!.authentication!.credentials),
      },
    };
    await env.inner.pushNotificationStore.save('t-1', env.ctx, downgraded);
    expect(await env.stores.pushNotificationStore.load('t-1', env.ctx)).toEqual([]);
    expect(env.corrupt.map((e) => (e.error as { code?: string }).code)).toEqual([
      'DECRYPTION_FAILED',
    ]);
  });
});

describe('v1 values of the previous release', () => {
  it('open, and re-wrap under a new master key without changing version', async () => {
    const sealer = new RecordSealer(new DataKeySource(golden(), undefined));
    const opened = await open(sealer, v1Config);
    expect([opened.token, opened.authentication?.credentials]).toEqual(['tok-2', 'cred-ü']);

    const next = new LocalAesKeyring({ keys: { next: generateLocalMasterKey() }, primary: 'next' });
    const both = new MultiKeyring({ primary: next, others: [golden()] });
    const rewrapped = await new EnvelopeRewrapper(both).pushConfig(scope, 'task-1', v1Config);
    expect(rewrapped?.dataKeys).toBe(1);
    const { token, authentication } = rewrapped!.value;
    expect(parseEnvelope(token).version).toBe(1);
    expect(parseEnvelope(token).wrapped.keyId).toBe('next');
    expect(parseEnvelope(authentication!.credentials).version).toBe(1);
    const onlyNext = new RecordSealer(new DataKeySource(next, undefined));
    const reopened = await open(onlyNext, rewrapped!.value);
    expect([reopened.token, reopened.authentication?.credentials]).toEqual(['tok-2', 'cred-ü']);
  });
});
