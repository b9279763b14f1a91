import { InvalidInputError, StoreClosedError } from '../../errors.js';
import type {
  ChannelListener,
  ChannelState,
  CoordinationBackend,
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  Unsubscribe,
} from '../coordination-backend.js';
import { MessageCursor } from './message-cursor.js';
import {
  type PollingCoordinationOptions,
  type ResolvedPollingOptions,
  resolvePollingOptions,
} from './polling-options.js';
import type { PolledMessage, PollingStorePort } from './polling-store-port.js';

/** Channel names are stored in a 255-character column by every SQL port. */
export const MAX_CHANNEL_LENGTH = 255;
/** A full-batch poll reads again at once, but never more than this many times per tick. */
const MAX_READS_PER_TICK = 20;
const MAX_CLEANUP_STATEMENTS_PER_PASS = 10;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Subscription {
  readonly listener: ChannelListener;
  /** Messages with an id above it are for this subscription: the max id when it started. */
  readonly fromId: number;
}

function assertChannel(channel: unknown): asserts channel is string {
  if (
    typeof channel !== 'string' ||
    channel.length === 0 ||
    channel.length > MAX_CHANNEL_LENGTH ||
    channel.includes('\u0000') ||
    LONE_SURROGATE.test(channel)
  ) {
    throw new InvalidInputError(
      `A channel name must be 1 to ${MAX_CHANNEL_LENGTH} characters of well-formed text without NUL`,
    );
  }
}

/**
 * A {@link CoordinationBackend} for engines without a push channel (SQLite, MySQL/MariaDB):
 * leases go straight to the port's statements; messages are rows a single timer per backend
 * reads every `pollIntervalMs` for all subscribed channels at once. A message reaches a
 * subscriber at most one poll interval plus one read query after its INSERT committed.
 *
 * Ordering: publishes from one backend to one channel are inserted one after the other, so
 * their ids grow in publish order and readers see them in that order. A failed poll reports
 * the channel `down` and keeps its cursor: once a poll succeeds again (`up`) the messages of
 * the outage are delivered, unless retention deleted them meanwhile. The timer never keeps the
 * process alive (`unref`).
 *
 * @example
 * ```ts
 * import { PollingCoordination, type PollingStorePort } from '@a2a-stores/core';
 * declare const port: PollingStorePort;
 * const coordination = new PollingCoordination(port, { pollIntervalMs: 50 });
 * const stop = await coordination.subscribe('task-events', (message) => console.log(message));
 * await coordination.publish('task-events', 'hello');
 * await stop();
 * await coordination.close();
 * ```
 */
export class PollingCoordination implements CoordinationBackend {
  readonly name: string;
  readonly #port: PollingStorePort;
  readonly #options: ResolvedPollingOptions;
  readonly #subscriptions = new Map<string, Set<Subscription>>();
  readonly #stateListeners = new Set<(state: ChannelState) => void>();
  /** Tail of each channel's publish chain: one INSERT at a time per channel keeps their order. */
  readonly #publishing = new Map<string, Promise<unknown>>();
  #cursor: MessageCursor | undefined;
  /** Polls and subscription changes run one at a time, so a new channel is never half-read. */
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #state: ChannelState = 'up';
  #lastCleanup = 0;
  #closed = false;

  constructor(port: PollingStorePort, options: PollingCoordinationOptions = {}) {
    this.#options = resolvePollingOptions(options);
    this.#port = port;
    this.name = port.name;
  }

  acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    return this.#open(() => this.#port.acquireLease(request, ttlMs));
  }

  renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    return this.#open(() => this.#port.renewLease(key, holder, token, ttlMs));
  }

  releaseLease(key: string, holder: string, token: string): Promise<void> {
    return this.#open(() => this.#port.releaseLease(key, holder, token));
  }

  readLease(key: string): Promise<LeaseRecord | undefined> {
    return this.#open(() => this.#port.readLease(key));
  }

  claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    return this.#open(() => this.#port.claimExpiredLeases(holder, token, ttlMs, limit));
  }

  async publish(channel: string, message: string): Promise<void> {
    assertChannel(channel);
    if (typeof message !== 'string') throw new InvalidInputError('A message must be a string');
    if (this.#closed) throw new StoreClosedError();
    this.#startTimer();
    const previous = this.#publishing.get(channel) ?? Promise.resolve();
    // The previous publish's failure is its caller's; this one only waits for its turn.
    const mine = previous
      .catch(() => undefined)
      .then(() => this.#port.appendMessage(channel, message));
    this.#publishing.set(channel, mine);
    try {
      await mine;
    } finally {
      if (this.#publishing.get(channel) === mine) this.#publishing.delete(channel);
    }
  }

  subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
    assertChannel(channel);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return this.#exclusive(async () => {
      if (this.#closed) throw new StoreClosedError();
      const fromId = await this.#port.maxMessageId();
      this.#cursor ??= new MessageCursor(fromId, this.#options.gapWaitMs);
      const subscription: Subscription = { listener, fromId };
      let set = this.#subscriptions.get(channel);
      if (set === undefined) {
        set = new Set();
        this.#subscriptions.set(channel, set);
      }
      set.add(subscription);
      this.#startTimer();
      return () => this.#unsubscribe(channel, subscription);
    });
  }

  onChannelState(listener: (state: ChannelState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([this.#queue, ...this.#publishing.values()]);
    this.#subscriptions.clear();
    this.#stateListeners.clear();
    await this.#port.close();
  }

  /** Runs one poll now instead of waiting for the timer (tests, and callers that just published). */
  pollNow(): Promise<void> {
    return this.#exclusive(() => this.#pollAndReport());
  }

  async #open<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreClosedError();
    return run();
  }

  #unsubscribe(channel: string, subscription: Subscription): Promise<void> {
    return this.#exclusive(async () => {
      const set = this.#subscriptions.get(channel);
      if (set?.delete(subscription) !== true) return;
      if (set.size === 0) this.#subscriptions.delete(channel);
      // Nobody listens: a later subscribe starts from the then-newest id, not from a backlog.
      if (this.#subscriptions.size === 0) this.#cursor = undefined;
    });
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.#tick(), this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    void this.#exclusive(async () => {
      await this.#pollAndReport();
      await this.#cleanupIfDue();
    })
      .catch(() => undefined)
      .finally(() => this.#startTimer());
  }

  async #pollAndReport(): Promise<void> {
    if (this.#closed || this.#cursor === undefined || this.#subscriptions.size === 0) return;
    try {
      await this.#poll(this.#cursor);
      this.#setState('up');
    } catch {
      this.#setState('down');
    }
  }

  async #poll(cursor: MessageCursor): Promise<void> {
    const channels = [...this.#subscriptions.keys()];
    const limit = this.#options.readBatchSize;
    let from = cursor.position;
    for (let read = 0; read < MAX_READS_PER_TICK; read++) {
      const rows = await this.#port.readMessages(channels, from, limit);
      for (const row of rows) {
        if (cursor.accept(row.id)) this.#deliver(row);
      }
      cursor.settle(Date.now());
      const last = rows.at(-1);
      if (rows.length < limit || last === undefined) return;
      from = last.id;
    }
  }

  #deliver(row: PolledMessage): void {
    if (row.payload === null) return;
    const subscriptions = this.#subscriptions.get(row.channel);
    if (subscriptions === undefined) return;
    for (const subscription of subscriptions) {
      if (row.id <= subscription.fromId) continue;
      try {
        subscription.listener(row.payload);
      } catch (error) {
        this.#options.onListenerError(error);
      }
    }
  }

  async #cleanupIfDue(): Promise<void> {
    const now = Date.now();
    if (this.#closed || now - this.#lastCleanup < this.#options.cleanupIntervalMs) return;
    this.#lastCleanup = now;
    const { retentionMs, cleanupBatchSize } = this.#options;
    try {
      for (let pass = 0; pass < MAX_CLEANUP_STATEMENTS_PER_PASS; pass++) {
        const deleted = await this.#port.deleteMessagesOlderThan(retentionMs, cleanupBatchSize);
        if (deleted < cleanupBatchSize) return;
      }
    } catch {
      // Retention is best effort: the next pass deletes what this one could not.
    }
  }

  #setState(state: ChannelState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }
}
