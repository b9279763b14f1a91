import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { PushUrlRejectedError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { rejectionOf } from '../helpers/assertions.js';
import { callContext, randomId, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  useHarness,
} from '../helpers/lifecycle.js';
import { makePushConfig } from '../helpers/tasks.js';

/**
 * Hostile webhook URLs, as IP literals so that no test needs DNS: cloud metadata, loopback and
 * private addresses in spellings a naive string check misses, credentials, other schemes.
 */
export const HOSTILE_PUSH_URLS: readonly string[] = [
  'http://169.254.169.254/latest/meta-data/',
  'https://169.254.169.254/latest/meta-data/',
  'https://2852039166/latest/meta-data/',
  'https://[::ffff:169.254.169.254]/',
  'https://[fd00:ec2::254]/',
  'https://127.0.0.1/hook',
  'https://2130706433/hook',
  'https://0177.0.0.1/hook',
  'https://0x7f.1/hook',
  'https://[::1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://10.0.0.1/hook',
  'https://[fd12:3456::1]/hook',
  'https://100.64.0.1/hook',
  'https://[fe80::1]/hook',
  'https://0.0.0.0/hook',
  'https://user:password@8.8.8.8/hook',
  'ftp://8.8.8.8/hook',
];

/** Header-breaking values for `token` and `authentication` (CR/LF injection, NUL truncation). */
const HEADER_BREAKING: ReadonlyArray<[string, Partial<TaskPushNotificationConfig>]> = [
  ['CRLF in token', { authentication: undefined, token: 'token\r\nX-Injected: 1' }],
  ['NUL in token', { authentication: undefined, token: 'token\u0000tail' }],
  [
    'LF in credentials',
    { authentication: { scheme: 'Bearer', credentials: 'secret\nX-Injected: 1' } },
  ],
  ['CR in scheme', { authentication: { scheme: 'Bearer\r', credentials: 'secret' } }],
  ['space in scheme', { authentication: { scheme: 'Bearer x', credentials: 'secret' } }],
];

function expectUrlRejection(error: unknown, url: string): void {
  expect(error, url).toBeInstanceOf(PushUrlRejectedError);
  // A client error on the wire: the SDK's transports answer it as invalid params.
  expect(error, url).toBeInstanceOf(RequestMalformedError);
  expect((error as PushUrlRejectedError).code, url).toBe('PUSH_URL_REJECTED');
}

/**
 * Push URL safety: a store refuses hostile webhook URLs (SSRF) and header-breaking secrets
 * with typed errors before anything is written, and a refused replacement leaves the stored
 * config as it was. Runs with the suite's default URL check (core's strict policy).
 */
export function runPushUrlSafetyGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('push URL safety', () => {
    const env = useHarness(harness, options);

    async function open() {
      const { pushNotificationStore } = await env.open();
      return {
        push: pushNotificationStore,
        ctx: callContext(randomScope()),
        taskId: randomId('task'),
      };
    }

    conformanceTest(
      harness,
      [],
      'hostile webhook URLs are refused with PushUrlRejectedError',
      async () => {
        const { push, ctx, taskId } = await open();
        for (const url of HOSTILE_PUSH_URLS) {
          expectUrlRejection(
            await rejectionOf(push.save(taskId, ctx, makePushConfig(taskId, { url }))),
            url,
          );
        }
      },
    );

    conformanceTest(harness, [], 'a refused URL stores nothing', async () => {
      const { push, ctx, taskId } = await open();
      for (const url of HOSTILE_PUSH_URLS) {
        await rejectionOf(push.save(taskId, ctx, makePushConfig(taskId, { url })));
        await rejectionOf(push.save(taskId, ctx, makePushConfig(taskId, { id: '', url })));
      }
      await expect(push.load(taskId, ctx)).resolves.toEqual([]);
      await expect(loadWithMetadata(push)(taskId, ctx)).resolves.toEqual([]);
    });

    conformanceTest(
      harness,
      [],
      'a refused replacement leaves the stored config with the same id unchanged',
      async () => {
        const { push, ctx, taskId } = await open();
        const v1 = callContext(randomScope(), { requestedVersion: '1.0' });
        const original = makePushConfig(taskId, { id: 'webhook' });
        await push.save(taskId, v1, original);
        const before = await loadWithMetadata(push)(taskId, v1);
        for (const url of HOSTILE_PUSH_URLS.slice(0, 6)) {
          const hostile = makePushConfig(taskId, { id: 'webhook', url });
          expectUrlRejection(await rejectionOf(push.save(taskId, v1, hostile)), url);
        }
        await expect(push.load(taskId, v1)).resolves.toEqual([original]);
        await expect(loadWithMetadata(push)(taskId, v1)).resolves.toEqual(before);
        // Another scope saw nothing either.
        await expect(push.load(taskId, ctx)).resolves.toEqual([]);
      },
    );

    conformanceTest(
      harness,
      [],
      'header-breaking token or authentication is refused with RequestMalformedError and stores nothing',
      async () => {
        const { push, ctx, taskId } = await open();
        const original = makePushConfig(taskId, { id: 'webhook' });
        await push.save(taskId, ctx, original);
        for (const [what, fields] of HEADER_BREAKING) {
          const replacement = { ...makePushConfig(taskId, { id: 'webhook' }), ...fields };
          expect(await rejectionOf(push.save(taskId, ctx, replacement)), what).toBeInstanceOf(
            RequestMalformedError,
          );
          const fresh = { ...makePushConfig(taskId), ...fields };
          expect(await rejectionOf(push.save(taskId, ctx, fresh)), what).toBeInstanceOf(
            RequestMalformedError,
          );
        }
        await expect(push.load(taskId, ctx)).resolves.toEqual([original]);
      },
    );
  });
}
