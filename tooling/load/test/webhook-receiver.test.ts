import { afterEach, describe, expect, it } from 'vitest';
import { type LoadWebhookReceiver, startLoadWebhookReceiver } from '../src/webhook-receiver.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', body: JSON.stringify(body) });

describe('load webhook receiver (real HTTP on 127.0.0.1)', () => {
  let receiver: LoadWebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  it('tracks each hook until its completed event arrives', async () => {
    receiver = await startLoadWebhookReceiver();
    const first = receiver.newHookUrl();
    const second = receiver.newHookUrl();
    expect(new URL(first).hostname).toBe('127.0.0.1');
    expect(receiver.hooksWithoutCompletion()).toHaveLength(2);

    await post(first, { statusUpdate: { status: { state: 'TASK_STATE_WORKING' } } });
    await post(first, { statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } });
    expect(receiver.hooksWithoutCompletion()).toEqual([new URL(second).pathname]);

    // Settling starts before the last delivery; both are joined at once, so neither is left
    // without a handler while the other runs.
    await Promise.all([
      receiver.settle(10_000),
      post(second, { task: { status: { state: 'TASK_STATE_COMPLETED' } } }),
    ]);
    expect(receiver.hooksWithoutCompletion()).toEqual([]);
    expect(receiver.delivered()).toBe(3);
    expect(receiver.hooks()).toBe(2);
  });

  it('settle gives up after its timeout, leaving the missing hooks to report', async () => {
    receiver = await startLoadWebhookReceiver();
    const hook = receiver.newHookUrl();
    await post(receiver.untrackedHookUrl(), { statusUpdate: { status: { state: 'x' } } });
    await receiver.settle(50);
    expect(receiver.hooksWithoutCompletion()).toEqual([new URL(hook).pathname]);
    receiver.forgetHook(hook);
    expect(receiver.hooksWithoutCompletion()).toEqual([]);
    expect(receiver.delivered()).toBe(1);
  });
});
