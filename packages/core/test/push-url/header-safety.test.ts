import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import {
  assertHeaderSafePushAuth,
  createMemoryStores,
  createPushUrlPolicy,
  InvalidInputError,
} from '../../src/index.js';
import { corpusDns } from './corpus.js';

function config(overrides: Partial<TaskPushNotificationConfig>): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: 'cfg-1',
    taskId: 'task-1',
    url: 'https://hooks.example.com/a2a',
    token: 'tok-123',
    authentication: { scheme: 'Bearer', credentials: 'abc.DEF-ghi_jkl~+/=' },
    ...overrides,
  };
}

const HOSTILE_VALUES: ReadonlyArray<[string, string]> = [
  ['CRLF injection', 'x\r\nX-Injected: 1'],
  ['bare LF', 'x\nX-Injected: 1'],
  ['bare CR', 'x\rX-Injected: 1'],
  ['NUL truncation', 'x\u0000y'],
  ['DEL', 'x\u007fy'],
  ['escape', 'x\u001b[31m'],
  ['vertical tab', 'x\u000by'],
  ['Latin-1 byte', 'caf\u00e9'],
  ['line separator', 'x\u2028y'],
  ['non-BMP', 'x\u{1f600}'],
];

describe('header safety of token and authentication', () => {
  it.each(HOSTILE_VALUES)('refuses %s in token, credentials and scheme', (_, value) => {
    expect(() => assertHeaderSafePushAuth(config({ token: value }))).toThrow(InvalidInputError);
    expect(() =>
      assertHeaderSafePushAuth(
        config({ authentication: { scheme: 'Bearer', credentials: value } }),
      ),
    ).toThrow(InvalidInputError);
    expect(() =>
      assertHeaderSafePushAuth(
        config({ authentication: { scheme: `Bearer${value}`, credentials: 'c' } }),
      ),
    ).toThrow(InvalidInputError);
  });

  it('refuses a scheme that is not an HTTP token (space, colon, comma)', () => {
    for (const scheme of ['Bearer x', 'Bearer:', 'a,b', '"Bearer"']) {
      expect(
        () => assertHeaderSafePushAuth(config({ authentication: { scheme, credentials: 'c' } })),
        scheme,
      ).toThrow(InvalidInputError);
    }
  });

  it('accepts what real webhooks use', () => {
    expect(() => assertHeaderSafePushAuth(config({}))).not.toThrow();
    expect(() =>
      assertHeaderSafePushAuth(config({ token: '', authentication: undefined })),
    ).not.toThrow();
    expect(() =>
      assertHeaderSafePushAuth(
        config({
          authentication: {
            scheme: 'Digest',
            credentials: 'username="a", realm="r", nonce="n"\tx',
          },
        }),
      ),
    ).not.toThrow();
  });

  it('names the field, never the secret', () => {
    try {
      assertHeaderSafePushAuth(config({ token: 'sup3rs3cret\r\nX: 1' }));
      expect.fail('accepted');
    } catch (error) {
      expect((error as Error).message).toContain('pushNotificationConfig.token');
      expect((error as Error).message).not.toContain('sup3rs3cret');
    }
  });

  it('is enforced by the store: the config is refused and nothing is written', async () => {
    const { pushNotificationStore } = createMemoryStores({
      pushUrlCheck: createPushUrlPolicy({ resolver: corpusDns() }),
      logger: { warn: () => {} },
    });
    const ctx = new ServerCallContext({ tenant: 't', user: new UnauthenticatedUser() });
    const stored = config({ id: 'cfg-1' });
    await pushNotificationStore.save('task-1', ctx, stored);
    const bad = config({ id: 'cfg-1', token: 'x\r\nX-Injected: 1' });
    await expect(pushNotificationStore.save('task-1', ctx, bad)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    const fresh = config({ id: '', authentication: { scheme: 'Bearer', credentials: 'a\nb' } });
    await expect(pushNotificationStore.save('task-2', ctx, fresh)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(fresh.id).toBe('');
    expect(await pushNotificationStore.load('task-1', ctx)).toEqual([stored]);
    expect(await pushNotificationStore.load('task-2', ctx)).toEqual([]);
  });
});
