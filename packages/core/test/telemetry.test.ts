import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  anonymousContext,
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '../src/conformance/index.js';
import {
  createMemoryStores,
  createPushUrlPolicy,
  GuardedPushNotificationSender,
  ScopeResolutionError,
} from '../src/index.js';
import { statusUpdate } from './push-sender/sender-setup.js';

const capture = new TelemetryCapture();
afterAll(() => capture.shutdown());

const helpers = { randomScope, callContext, makeTask, makePushConfig };

describe('OpenTelemetry instrumentation (memory stores, real SDK)', () => {
  it('emits a client span and a duration point per operation, counters, and nothing private', async () => {
    const stores = createMemoryStores({
      logger: silentLogger(),
      pushUrlCheck: conformancePushUrlCheck(),
    });
    await checkStoreTelemetry(capture, stores, helpers, {
      system: 'memory',
      taskCollection: 'tasks',
      pushCollection: 'push_configs',
    });
  });

  it('counts scope refusals by failure and purged tasks', async () => {
    const { taskStore } = createMemoryStores({ anonymous: 'reject', logger: silentLogger() });
    const tenant = `tenant-${crypto.randomUUID()}`;
    const before = await capture.total('a2a_stores.scope.refusals', {
      'a2a_stores.scope.failure': 'unauthenticated',
    });
    await expect(taskStore.load('t-1', anonymousContext(tenant))).rejects.toBeInstanceOf(
      ScopeResolutionError,
    );
    expect(
      await capture.total('a2a_stores.scope.refusals', {
        'a2a_stores.scope.failure': 'unauthenticated',
      }),
    ).toBe(before + 1);
    const span = capture.spans().find((s) => s.name === 'load tasks' && s.status.code === 2);
    expect(span?.attributes['error.type']).toBe('ScopeResolutionError');

    const scope = randomScope();
    const ctx = callContext(scope);
    for (let i = 0; i < 3; i++) await taskStore.save(makeTask({ state: 3 }), ctx);
    const purgedBefore = await capture.total('a2a_stores.purge.deleted_tasks');
    const { deleted } = await taskStore.purge({ olderThan: new Date(Date.now() + 60_000) });
    expect(deleted).toBeGreaterThanOrEqual(3);
    expect(await capture.total('a2a_stores.purge.deleted_tasks')).toBe(purgedBefore + deleted);
    await capture.assertNoLeak([tenant, scope.tenant, scope.owner]);
  });

  it('counts push deliveries by outcome and reason', async () => {
    // Stored under a development policy, refused at send time by the strict default one.
    const { pushNotificationStore } = createMemoryStores({
      pushUrlCheck: createPushUrlPolicy({ allowInsecureLocalhost: true }),
      logger: silentLogger(),
    });
    const sender = new GuardedPushNotificationSender(pushNotificationStore, {
      logger: silentLogger(),
    });
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask();
    const config = makePushConfig(task.id, {
      url: 'http://127.0.0.1:9/hook',
      token: 'tok-secret-1',
    });
    await pushNotificationStore.save(task.id, ctx, config);
    const refused = { 'a2a_stores.push.outcome': 'refused' };
    const before = await capture.total('a2a_stores.push.deliveries', refused);
    await sender.send(statusUpdate(task), ctx, task);
    expect(await capture.total('a2a_stores.push.deliveries', refused)).toBe(before + 1);
    const point = (await capture.points()).find((p) => p.name === 'a2a_stores.push.deliveries');
    expect(point?.attributes['a2a_stores.push.reason']).toBeTypeOf('string');
    await capture.assertNoLeak(['tok-secret-1', scope.tenant, scope.owner]);
  });
});
