import { describe, expect, it } from 'vitest';
import { randomId } from '../helpers/identity.js';
import type { CoordinationHarness } from './harness.js';
import { useCoordination } from './lifecycle.js';
import { inbox, waitFor } from './wait.js';

/** Channels: delivery once active, order, size, isolation, unsubscribe and close. */
export function runCoordinationChannelGroup(harness: CoordinationHarness, destroy = true): void {
  describe(`coordination channels (${harness.name})`, () => {
    const env = useCoordination(harness, destroy);

    it('delivers what is published right after subscribe resolves, to every worker and the publisher', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const channel = randomId('task');
      const [onA, onB] = [inbox(), inbox()];
      await a.subscribe(channel, onA.listener);
      await b.subscribe(channel, onB.listener);
      await a.publish(channel, 'hello');
      await waitFor(
        () => onA.messages.length === 1 && onB.messages.length === 1,
        'delivery to both workers',
      );
      expect(onA.messages).toEqual(['hello']);
      expect(onB.messages).toEqual(['hello']);
    });

    it("keeps one publisher's order over 200 messages", async () => {
      const [a, b] = [await env.open(), await env.open()];
      const channel = randomId('task');
      const received = inbox();
      await b.subscribe(channel, received.listener);
      const sent = Array.from({ length: 200 }, (_, i) => `m-${i}`);
      for (const message of sent) await a.publish(channel, message);
      await waitFor(() => received.messages.length >= 200, '200 messages');
      expect(received.messages).toEqual(sent);
    });

    it('carries a 1 MiB message intact', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const channel = randomId('task');
      const received = inbox();
      await b.subscribe(channel, received.listener);
      const big = JSON.stringify({ blob: 'x'.repeat(1024 * 1024), tail: '\u00e9\u{1F600}' });
      await a.publish(channel, big);
      await waitFor(() => received.messages.length === 1, 'the large message', 20_000);
      expect(received.messages[0]!.length).toBe(big.length);
      expect(received.messages[0] === big).toBe(true);
    });

    it("never delivers one channel's messages to another", async () => {
      const [a, b] = [await env.open(), await env.open()];
      const [x, y] = [randomId('task'), randomId('task')];
      const onX = inbox();
      await b.subscribe(x, onX.listener);
      await a.publish(y, 'for-y');
      await a.publish(`${x}-suffix`, 'for-suffix');
      await a.publish(x, 'marker');
      await waitFor(() => onX.messages.includes('marker'), 'the marker');
      expect(onX.messages).toEqual(['marker']);
    });

    it('stops delivery to an unsubscribed listener only', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const channel = randomId('task');
      const [gone, kept] = [inbox(), inbox()];
      const unsubscribe = await b.subscribe(channel, gone.listener);
      await b.subscribe(channel, kept.listener);
      await unsubscribe();
      await unsubscribe();
      await a.publish(channel, 'after');
      await a.publish(channel, 'marker');
      await waitFor(() => kept.messages.includes('marker'), 'the marker');
      expect(gone.messages).toEqual([]);
    });

    it("ends a closed backend's subscriptions", async () => {
      const [a, b, c] = [await env.open(), await env.open(), await env.open()];
      const channel = randomId('task');
      const [onB, onC] = [inbox(), inbox()];
      await b.subscribe(channel, onB.listener);
      await c.subscribe(channel, onC.listener);
      await c.close();
      await a.publish(channel, 'after-close');
      await waitFor(() => onB.messages.includes('after-close'), 'delivery to the open worker');
      expect(onC.messages).toEqual([]);
    });
  });
}
