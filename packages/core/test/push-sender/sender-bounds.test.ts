import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryStores,
  createPushUrlPolicy,
  GuardedPushNotificationSender,
  type GuardedPushSenderOptions,
  type PushDeliveryEvent,
} from '../../src/index.js';
import {
  captureLogger,
  deliveryLog,
  freshContext,
  makeTask,
  pushConfig,
  statusUpdate,
} from './sender-setup.js';
import { type Answer, startReceiver, type WebhookReceiver } from './webhook-receiver.js';

const dev = createPushUrlPolicy({ allowInsecureLocalhost: true });
const open: WebhookReceiver[] = [];
afterEach(async () => {
  for (const started of open.splice(0)) await started.close();
});

/** Registers a webhook answering `answer`, sends one notification, returns what happened. */
async function sendTo(
  answer: Answer,
  options: GuardedPushSenderOptions = {},
  path = '/hook',
): Promise<{ event: PushDeliveryEvent; hook: WebhookReceiver }> {
  const hook = await startReceiver(answer);
  open.push(hook);
  const { pushNotificationStore } = createMemoryStores({
    pushUrlCheck: dev,
    logger: { warn: () => {} },
  });
  const ctx = freshContext('1.0');
  const task = makeTask();
  await pushNotificationStore.save(task.id, ctx, pushConfig(task.id, hook.url(path)));
  const log = deliveryLog();
  const sender = new GuardedPushNotificationSender(pushNotificationStore, {
    policy: dev,
    logger: captureLogger(),
    ...options,
    ...log,
  });
  await sender.send(statusUpdate(task), ctx, task);
  expect(log.events).toHaveLength(1);
  return { event: log.events[0]!, hook };
}

describe('guarded push sender: redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'treats %i as a failure and never follows it',
    async (status) => {
      const target = await startReceiver();
      open.push(target);
      const { event, hook } = await sendTo({
        status,
        headers: { location: target.url('/stolen') },
      });
      expect(event).toMatchObject({ outcome: 'failed', reason: 'redirect', status });
      expect(hook.requests).toHaveLength(1);
      expect(target.connections()).toBe(0);
    },
  );
});

describe('guarded push sender: statuses', () => {
  it.each([200, 201, 202, 204])('delivers on %i', async (status) => {
    const { event } = await sendTo({ status, body: status === 204 ? undefined : 'ok' });
    expect(event).toMatchObject({ outcome: 'delivered', status });
  });

  it.each([400, 401, 404, 500])('fails on %i without sending it again', async (status) => {
    const { event, hook } = await sendTo({ status, body: 'nope' });
    expect(event).toMatchObject({ outcome: 'failed', reason: 'http-status', status, attempts: 1 });
    expect(hook.requests).toHaveLength(1);
  });
});

describe('guarded push sender: retries of what never reached the webhook', () => {
  const fast = { retry: { retries: 2, initialDelayMs: 5 } };

  it.each([429, 503])('retries %i, then reports the last failure', async (status) => {
    const { event, hook } = await sendTo({ status, body: 'busy' }, fast);
    expect(event).toMatchObject({ outcome: 'failed', reason: 'http-status', status, attempts: 3 });
    expect(hook.requests).toHaveLength(3);
  });

  it('delivers when a retry succeeds, sending the same body', async () => {
    let calls = 0;
    const busyOnce: Answer = (_, response) => {
      response.writeHead(++calls === 1 ? 503 : 204);
      response.end();
    };
    const { event, hook } = await sendTo(busyOnce, fast);
    expect(event).toMatchObject({ outcome: 'delivered', status: 204, attempts: 2 });
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body);
  });

  it('never resends a request the webhook may have processed (timeout mid-exchange)', async () => {
    const { event, hook } = await sendTo('hang', { ...fast, timeout: 300 });
    expect(event).toMatchObject({ outcome: 'failed', reason: 'timeout', attempts: 1 });
    expect(hook.requests).toHaveLength(1);
  });

  it('sends once with retries: 0', async () => {
    const { event, hook } = await sendTo({ status: 503 }, { retry: { retries: 0 } });
    expect(event).toMatchObject({ outcome: 'failed', status: 503, attempts: 1 });
    expect(hook.requests).toHaveLength(1);
  });

  it('refuses nonsense retry options', () => {
    const { pushNotificationStore } = createMemoryStores({ pushUrlCheck: dev });
    for (const retry of [
      { retries: -1 },
      { retries: 1.5 },
      { retries: 11 },
      { initialDelayMs: 0 },
    ]) {
      expect(() => new GuardedPushNotificationSender(pushNotificationStore, { retry })).toThrow(
        TypeError,
      );
    }
  });
});

describe('guarded push sender: time and size bounds', () => {
  it('gives up on a webhook that never answers', async () => {
    const { event, hook } = await sendTo('hang', { timeout: 300 });
    expect(event).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    expect(hook.requests).toHaveLength(1);
  });

  it('gives up on a webhook that sends its headers and then trickles forever', async () => {
    const trickle: Answer = (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('still ');
      // Never ended: the total timeout must cut it.
    };
    const { event } = await sendTo(trickle, { timeout: 300 });
    expect(event).toMatchObject({ outcome: 'failed', reason: 'timeout' });
  });

  it('stops reading a response body over the limit', async () => {
    const huge: Answer = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      // Up to 16 MiB, written as fast as the client reads; the client must hang up long before.
      let sent = 0;
      const pump = () => {
        while (sent < 256) {
          sent++;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('error', () => {});
      pump();
    };
    const { event } = await sendTo(huge, { maxResponseBytes: 4096, timeout: 10_000 });
    expect(event).toMatchObject({ outcome: 'failed', reason: 'response-too-large', status: 200 });
  });

  it('accepts a response body within the limit', async () => {
    const { event } = await sendTo(
      { status: 200, body: 'x'.repeat(4096) },
      { maxResponseBytes: 4096 },
    );
    expect(event).toMatchObject({ outcome: 'delivered', status: 200 });
  });

  it('refuses oversized response headers', async () => {
    const { event } = await sendTo(
      { status: 200, headers: { 'x-padding': 'p'.repeat(32 * 1024) }, body: 'ok' },
      { maxResponseHeaderBytes: 8 * 1024 },
    );
    expect(event).toMatchObject({ outcome: 'failed', reason: 'connection-failed' });
  });

  it('retries a refused connection a bounded number of times, then fails', async () => {
    const hook = await startReceiver();
    const url = hook.url();
    await hook.close();
    const { pushNotificationStore } = createMemoryStores({
      pushUrlCheck: dev,
      logger: { warn: () => {} },
    });
    const ctx = freshContext('1.0');
    const task = makeTask();
    await pushNotificationStore.save(task.id, ctx, pushConfig(task.id, url));
    const log = deliveryLog();
    await new GuardedPushNotificationSender(pushNotificationStore, {
      policy: dev,
      logger: captureLogger(),
      retry: { retries: 1, initialDelayMs: 5 },
      ...log,
    }).send(statusUpdate(task), ctx);
    // Refused before any byte was sent, so retried once, then reported.
    expect(log.events).toMatchObject([
      { outcome: 'failed', reason: 'connection-failed', attempts: 2 },
    ]);
    expect(String(log.events[0]!.error)).toContain('ECONNREFUSED');
  });
});
