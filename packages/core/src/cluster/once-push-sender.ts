import type { StreamResponse, Task } from '@a2a-js/sdk';
import type { PushNotificationSender, ServerCallContext } from '@a2a-js/sdk/server';
import { resolveScope, type ScopeResolver } from '../scope.js';
import { leaseKey } from './keys.js';
import type { MutableStats } from './stats.js';

/** Tasks remembered, and snapshots remembered per task, before the oldest are forgotten. */
const MAX_TASKS = 4096;
const MAX_SNAPSHOTS_PER_TASK = 64;

/**
 * Sends each event of a bus once, however many consumers of that bus hand it over. The SDK's
 * `DefaultRequestHandler` pushes from every consumer: the original call, the cancel path's
 * second consumer and each follow-up message's consumer all see the same events, so without
 * this each webhook receives an event once per consumer.
 *
 * Status, artifact and message events are the same object for every consumer of a bus, so they
 * are recognised by identity (a WeakSet: nothing is retained). Task snapshots are reloaded from
 * the store per consumer, so they are recognised by (scope, task id, state, status timestamp),
 * in a bounded memory.
 */
export class OncePushNotificationSender implements PushNotificationSender {
  readonly #inner: PushNotificationSender;
  readonly #resolver: ScopeResolver;
  readonly #stats: MutableStats | undefined;
  readonly #seenEvents = new WeakSet<object>();
  readonly #seenSnapshots = new Map<string, Set<string>>();

  constructor(inner: PushNotificationSender, scopeResolver: ScopeResolver, stats?: MutableStats) {
    if (typeof inner?.send !== 'function')
      throw new TypeError('inner must be a PushNotificationSender');
    this.#inner = inner;
    this.#resolver = scopeResolver;
    this.#stats = stats;
  }

  send(streamResponse: StreamResponse, context: ServerCallContext, task?: Task): Promise<void> {
    if (!this.#first(streamResponse, context)) {
      if (this.#stats) this.#stats.pushesSuppressed += 1;
      return Promise.resolve();
    }
    if (this.#stats) this.#stats.pushesSent += 1;
    return this.#inner.send(streamResponse, context, task);
  }

  #first(streamResponse: StreamResponse, context: ServerCallContext): boolean {
    const payload = streamResponse?.payload;
    if (!payload) return true;
    if (payload.$case !== 'task') {
      const value = payload.value as object;
      if (this.#seenEvents.has(value)) return false;
      this.#seenEvents.add(value);
      return true;
    }
    const snapshot = payload.value;
    let taskKey: string;
    try {
      taskKey = leaseKey(resolveScope(this.#resolver, context), snapshot.id);
    } catch {
      return true;
    }
    const mark = `${snapshot.status?.state ?? ''}|${snapshot.status?.timestamp ?? ''}`;
    let marks = this.#seenSnapshots.get(taskKey);
    if (marks?.has(mark)) return false;
    if (!marks) {
      if (this.#seenSnapshots.size >= MAX_TASKS) {
        const oldest = this.#seenSnapshots.keys().next().value;
        if (oldest !== undefined) this.#seenSnapshots.delete(oldest);
      }
      marks = new Set();
      this.#seenSnapshots.set(taskKey, marks);
    }
    if (marks.size >= MAX_SNAPSHOTS_PER_TASK) {
      const oldest = marks.values().next().value;
      if (oldest !== undefined) marks.delete(oldest);
    }
    marks.add(mark);
    return true;
  }
}
