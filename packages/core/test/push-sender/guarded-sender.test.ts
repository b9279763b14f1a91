import { TaskState } from '@a2a-js/sdk';
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server';
import {
  DefaultPushNotificationSender,
  InMemoryPushNotificationStore,
  V1PushNotificationSerializer,
} from '@a2a-js/sdk/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStores,
  createPushUrlPolicy,
  GuardedPushNotificationSender,
} from '../../src/index.js';
import {
  captureLogger,
  deliveryLog,
  freshContext,
  makeTask,
  pushConfig,
  statusUpdate,
} from './sender-setup.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

const dev = createPushUrlPolicy({ allowInsecureLocalhost: true });
const open: WebhookReceiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<WebhookReceiver> {
  const started = await startReceiver(...args);
  open.push(started);
  return started;
}
afterEach(async () => {
  for (const started of open.splice(0)) await started.close();
  vi.restoreAllMocks();
});

function devStores() {
  return createMemoryStores({ pushUrlCheck: dev, logger: { warn: () => {} } });
}

describe('guarded push sender: what it POSTs', () => {
  it('sends the body and headers the SDK sender sends (v1.0 serializer, Authorization)', async () => {
    const ours = await receiver();
    const theirs = await receiver();
    const { pushNotificationStore } = devStores();
    const ctx = freshContext('1.0');
    const task = makeTask();
    const config = pushConfig(task.id, ours.url('/a2a/hook?x=1'));
    await pushNotificationStore.save(task.id, ctx, config);
    const event = statusUpdate(task);
    const log = deliveryLog();
    await new GuardedPushNotificationSender(pushNotificationStore, { policy: dev, ...log }).send(
      event,
      ctx,
      task,
    );

    // The SDK's own sender, same config and event, for comparison (quiet: it logs each send).
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const sdkStore = new InMemoryPushNotificationStore();
    await sdkStore.save(task.id, ctx, { ...config, url: theirs.url('/a2a/hook?x=1') });
    await new DefaultPushNotificationSender(sdkStore).send(event, ctx, task);

    const [got, expected] = [await ours.nextRequest(), await theirs.nextRequest()];
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/a2a/hook?x=1');
    expect(got.body).toBe(expected.body);
    expect(got.body).toBe(new V1PushNotificationSerializer().serialize(event, task).body);
    expect(got.headers['content-type']).toBe(expected.headers['content-type']);
    expect(got.headers['content-type']).toBe('application/a2a+json');
    expect(got.headers.authorization).toBe(expected.headers.authorization);
    expect(got.headers.authorization).toBe(`Bearer ${config.authentication!.credentials}`);
    expect(got.headers['x-a2a-notification-token']).toBeUndefined();
    expect(got.headers.host).toBe(`127.0.0.1:${ours.port}`);
    expect(log.events).toEqual([
      {
        taskId: task.id,
        configId: config.id,
        origin: `http://127.0.0.1:${ours.port}`,
        outcome: 'delivered',
        status: 204,
        attempts: 1,
      },
    ]);
  });

  it('sends the token header when there is no authentication, under a configurable name', async () => {
    const hook = await receiver();
    const { pushNotificationStore } = devStores();
    const ctx = freshContext('1.0');
    const task = makeTask();
    const withToken = pushConfig(task.id, hook.url(), { authentication: undefined });
    await pushNotificationStore.save(task.id, ctx, withToken);
    await new GuardedPushNotificationSender(pushNotificationStore, { policy: dev }).send(
      statusUpdate(task),
      ctx,
    );
    expect((await hook.nextRequest()).headers['x-a2a-notification-token']).toBe(withToken.token);

    const sender = new GuardedPushNotificationSender(pushNotificationStore, {
      policy: dev,
      tokenHeaderName: 'X-Hook-Token',
    });
    await sender.send(statusUpdate(task), ctx);
    const second = await hook.nextRequest();
    expect(second.headers['x-hook-token']).toBe(withToken.token);
    expect(second.headers.authorization).toBeUndefined();
  });

  it('keeps the wire version of each registration (v0.3 body for a v0.3 webhook)', async () => {
    const hook = await receiver();
    const { pushNotificationStore } = devStores();
    const task = makeTask();
    const legacy = freshContext('0.3');
    await pushNotificationStore.save(task.id, legacy, pushConfig(task.id, hook.url('/legacy')));
    const event = statusUpdate(task);
    const v03 = new V03PushNotificationSerializer();
    const sender = new GuardedPushNotificationSender(pushNotificationStore, {
      policy: dev,
      serializers: { '0.3': v03 },
    });
    await sender.send(event, legacy, task);
    const got = await hook.nextRequest();
    const expected = v03.serialize(event, task);
    expect(got.body).toBe(expected.body);
    expect(got.headers['content-type']).toBe(expected.contentType);
    expect(got.body).not.toBe(new V1PushNotificationSerializer().serialize(event, task).body);
  });

  it('falls back to v1.0 for an unknown wire version, warning once', async () => {
    const hook = await receiver();
    const { pushNotificationStore } = devStores();
    const task = makeTask();
    const ctx = freshContext('0.3');
    await pushNotificationStore.save(task.id, ctx, pushConfig(task.id, hook.url()));
    const logger = captureLogger();
    const sender = new GuardedPushNotificationSender(pushNotificationStore, {
      policy: dev,
      logger,
    });
    await sender.send(statusUpdate(task), ctx, task);
    await sender.send(statusUpdate(task), ctx, task);
    expect((await hook.nextRequest()).body).toBe(
      new V1PushNotificationSerializer().serialize(statusUpdate(task)).body,
    );
    expect(logger.messages.filter((message) => message.includes('"0.3"'))).toHaveLength(1);
  });

  it('delivers the notifications of one task in order', async () => {
    const hook = await receiver();
    const { pushNotificationStore } = devStores();
    const ctx = freshContext('1.0');
    const task = makeTask();
    await pushNotificationStore.save(task.id, ctx, pushConfig(task.id, hook.url()));
    const sender = new GuardedPushNotificationSender(pushNotificationStore, { policy: dev });
    const states = [
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_COMPLETED,
    ];
    await Promise.all(states.map((state) => sender.send(statusUpdate(task, state), ctx)));
    const received = [await hook.nextRequest(), await hook.nextRequest(), await hook.nextRequest()];
    expect(received.map((request) => JSON.parse(request.body).statusUpdate.status.state)).toEqual([
      'TASK_STATE_WORKING',
      'TASK_STATE_INPUT_REQUIRED',
      'TASK_STATE_COMPLETED',
    ]);
  });

  it('reaches an IPv6 literal, with a bracketed Host header', async () => {
    const hook = await receiver({ status: 200, body: 'ok' }, false, '::1');
    const { pushNotificationStore } = devStores();
    const ctx = freshContext('1.0');
    const task = makeTask();
    await pushNotificationStore.save(task.id, ctx, pushConfig(task.id, hook.url('/v6')));
    const log = deliveryLog();
    await new GuardedPushNotificationSender(pushNotificationStore, { policy: dev, ...log }).send(
      statusUpdate(task),
      ctx,
    );
    expect(log.events).toMatchObject([{ outcome: 'delivered', status: 200 }]);
    expect((await hook.nextRequest()).headers.host).toBe(`[::1]:${hook.port}`);
  });

  it('sends nothing for a task without configs', async () => {
    const log = deliveryLog();
    const { pushNotificationStore } = devStores();
    await new GuardedPushNotificationSender(pushNotificationStore, { policy: dev, ...log }).send(
      statusUpdate(makeTask()),
      freshContext(),
    );
    expect(log.events).toEqual([]);
  });
});

describe('guarded push sender: re-checks at send time', () => {
  it('refuses a stored URL the sender policy refuses (a record older than the policy)', async () => {
    const hook = await receiver();
    // A store that accepted anything: the SDK's own.
    const store = new InMemoryPushNotificationStore();
    const ctx = freshContext('1.0');
    const task = makeTask();
    await store.save(task.id, ctx, pushConfig(task.id, hook.url()));
    const log = deliveryLog();
    const logger = captureLogger();
    await new GuardedPushNotificationSender(store, { ...log, logger }).send(
      statusUpdate(task),
      ctx,
    );
    expect(log.events).toMatchObject([{ outcome: 'refused', reason: 'insecure-scheme' }]);
    expect(hook.connections()).toBe(0);
    expect(logger.messages).toHaveLength(1);
  });

  it('refuses header-breaking secrets stored around the store, sending nothing', async () => {
    const hook = await receiver();
    const store = new InMemoryPushNotificationStore();
    const ctx = freshContext('1.0');
    const task = makeTask();
    await store.save(
      task.id,
      ctx,
      pushConfig(task.id, hook.url(), { authentication: undefined, token: 'a\r\nX-Evil: 1' }),
    );
    const log = deliveryLog();
    await new GuardedPushNotificationSender(store, {
      policy: dev,
      ...log,
      logger: captureLogger(),
    }).send(statusUpdate(task), ctx);
    expect(log.events).toMatchObject([{ outcome: 'refused', reason: 'unsafe-headers' }]);
    expect(hook.connections()).toBe(0);
  });

  it('never logs a token, a credential, or the path and query of the URL', async () => {
    const hook = await receiver({ status: 500 });
    const { pushNotificationStore } = devStores();
    const ctx = freshContext('1.0');
    const task = makeTask();
    const config = pushConfig(task.id, hook.url('/s3cret-path?key=s3cret-query'));
    await pushNotificationStore.save(task.id, ctx, config);
    const tokenOnly = pushConfig(task.id, hook.url('/other?key=s3cret-query'), {
      authentication: undefined,
    });
    await pushNotificationStore.save(task.id, ctx, tokenOnly);
    const logger = captureLogger();
    const log = deliveryLog();
    await new GuardedPushNotificationSender(pushNotificationStore, {
      policy: dev,
      logger,
      ...log,
    }).send(statusUpdate(task), ctx);
    expect(log.events.map((event) => event.reason)).toEqual(['http-status', 'http-status']);
    expect(logger.messages).toHaveLength(2);
    for (const message of logger.messages) {
      expect(message).toContain(`http://127.0.0.1:${hook.port}`);
      for (const secret of [
        config.token,
        config.authentication!.credentials,
        tokenOnly.token,
        's3cret',
      ]) {
        expect(message).not.toContain(secret);
      }
    }
    for (const event of log.events) expect(String(event.error)).not.toContain('s3cret');
  });

  it('refuses bad options at construction', () => {
    const { pushNotificationStore } = devStores();
    expect(() => new GuardedPushNotificationSender(pushNotificationStore, { timeout: 0 })).toThrow(
      TypeError,
    );
    expect(
      () => new GuardedPushNotificationSender(pushNotificationStore, { tokenHeaderName: 'X\r\nY' }),
    ).toThrow(TypeError);
    expect(
      () =>
        new GuardedPushNotificationSender(pushNotificationStore, {
          policy: (async () => {}) as never,
        }),
    ).toThrow(TypeError);
  });
});
