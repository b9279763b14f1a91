import { InMemoryPushNotificationStore } from '@a2a-js/sdk/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPushUrlPolicy,
  GuardedPushNotificationSender,
  type PushHostResolver,
} from '../../src/index.js';
import { fakeDns } from '../push-url/fake-dns.js';
import {
  captureLogger,
  deliveryLog,
  freshContext,
  makeTask,
  pushConfig,
  statusUpdate,
} from './sender-setup.js';
import { startReceiver, TEST_CERT, type WebhookReceiver } from './webhook-receiver.js';

const open: WebhookReceiver[] = [];
afterEach(async () => {
  for (const started of open.splice(0)) await started.close();
});

async function tlsReceiver(): Promise<WebhookReceiver> {
  const hook = await startReceiver({ status: 204 }, true);
  open.push(hook);
  return hook;
}

/** Stores a config for `url` (in the SDK's store, which checks nothing) and sends one event. */
async function sendOnce(
  url: string,
  resolver: PushHostResolver,
  timeouts = { timeout: 5_000, connectTimeout: 3_000 },
) {
  const store = new InMemoryPushNotificationStore();
  const ctx = freshContext('1.0');
  const task = makeTask();
  await store.save(task.id, ctx, pushConfig(task.id, url));
  const log = deliveryLog();
  // The development opt-in is on: 127.0.0.1 WOULD be accepted if the sender looked it up again.
  const policy = createPushUrlPolicy({ resolver, allowInsecureLocalhost: true });
  const sender = new GuardedPushNotificationSender(store, {
    policy,
    // One attempt: pinning is a property of each attempt (a retry validates and pins afresh).
    retry: { retries: 0 },
    ca: TEST_CERT,
    logger: captureLogger(),
    ...timeouts,
    ...log,
  });
  await sender.send(statusUpdate(task), ctx, task);
  expect(log.events).toHaveLength(1);
  return log.events[0]!;
}

/** Answers `first` on the first query and `then` on every later one. */
function rebindingDns(name: string, first: string, then: string) {
  let calls = 0;
  return fakeDns({ [name]: () => (calls++ === 0 ? [first] : [then]) });
}

describe('guarded push sender: TLS on the original host name', () => {
  it('connects to the validated address with SNI, Host and certificate check on the name', async () => {
    const hook = await tlsReceiver();
    const dns = fakeDns({ 'hooks.a2a-stores.test': ['127.0.0.1'] });
    const event = await sendOnce(hook.url('/a2a', 'hooks.a2a-stores.test'), dns);
    expect(event).toMatchObject({ outcome: 'delivered', status: 204 });
    const got = await hook.nextRequest();
    expect(got.servername).toBe('hooks.a2a-stores.test');
    expect(got.headers.host).toBe(`hooks.a2a-stores.test:${hook.port}`);
    expect(dns.queries).toEqual(['hooks.a2a-stores.test']);
  });

  it('fails when the certificate does not name the host (the check is not on the address)', async () => {
    const hook = await tlsReceiver();
    const dns = fakeDns({ 'other.a2a-stores.test': ['127.0.0.1'] });
    const event = await sendOnce(hook.url('/a2a', 'other.a2a-stores.test'), dns);
    expect(event).toMatchObject({ outcome: 'failed', reason: 'connection-failed' });
    expect(String(event.error)).toMatch(/altnames|certificate/i);
    expect(hook.requests).toHaveLength(0);
  });
});

describe('guarded push sender: DNS rebinding', () => {
  it('connects only to the address it validated, though DNS now answers 127.0.0.1', async () => {
    const hook = await tlsReceiver();
    // Validated answer: 127.0.0.2, where nothing listens. Any later lookup: the receiver's 127.0.0.1.
    const dns = rebindingDns('rebind.a2a-stores.test', '127.0.0.2', '127.0.0.1');
    const event = await sendOnce(hook.url('/a2a', 'rebind.a2a-stores.test'), dns);
    expect(event).toMatchObject({ outcome: 'failed', reason: 'connection-failed' });
    expect(String(event.error)).toContain('127.0.0.2');
    expect(dns.queries).toEqual(['rebind.a2a-stores.test']);
    expect(hook.connections()).toBe(0);
    expect(hook.requests).toHaveLength(0);
  });

  it('control: the same webhook is reached when the validated answer is 127.0.0.1', async () => {
    const hook = await tlsReceiver();
    const dns = rebindingDns('rebind.a2a-stores.test', '127.0.0.1', '127.0.0.2');
    const event = await sendOnce(hook.url('/a2a', 'rebind.a2a-stores.test'), dns);
    expect(event).toMatchObject({ outcome: 'delivered' });
    expect(hook.requests).toHaveLength(1);
  });

  it('refuses at send time when DNS now answers a refused address', async () => {
    const hook = await tlsReceiver();
    // Saved while public; at send time the answer is a metadata address: refused, not sent.
    const dns = fakeDns({ 'rebind.a2a-stores.test': ['169.254.169.254'] });
    const event = await sendOnce(hook.url('/a2a', 'rebind.a2a-stores.test'), dns);
    expect(event).toMatchObject({ outcome: 'refused', reason: 'cloud-metadata' });
    expect(hook.connections()).toBe(0);
  });
});
