import type { ChannelListener, StoreLogger } from '@a2a-stores/core';
import { parseFrame } from './frames.js';

/** Reads a spilled message by row id; undefined when the row is gone. */
export type FetchSpilled = (
  id: string,
) => Promise<{ channel: string; payload: string } | undefined>;

interface Subscription {
  readonly listener: ChannelListener;
}

/**
 * The local side of the one PostgreSQL channel: decodes each notification and hands it to the
 * subscribers of its logical channel. Notifications are handled one at a time in arrival order,
 * so a spilled message being fetched holds back the inline ones behind it and nothing reorders.
 */
export class ChannelHub {
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly fetchSpilled: FetchSpilled,
    private readonly logger: StoreLogger,
  ) {}

  /** Adds `listener` on `channel`; the returned function removes exactly this subscription. */
  add(channel: string, listener: ChannelListener): () => void {
    const subscription: Subscription = { listener };
    let set = this.subscribers.get(channel);
    if (!set) {
      set = new Set();
      this.subscribers.set(channel, set);
    }
    set.add(subscription);
    return () => {
      const current = this.subscribers.get(channel);
      if (!current?.delete(subscription)) return;
      if (current.size === 0) this.subscribers.delete(channel);
    };
  }

  get size(): number {
    return this.subscribers.size;
  }

  clear(): void {
    this.subscribers.clear();
  }

  /** Called with each NOTIFY payload, in the order the connection received them. */
  receive(payload: string): void {
    const frame = parseFrame(payload);
    if (!frame) {
      this.logger.warn('a2a-stores/postgres coordination: ignored a malformed notification');
      return;
    }
    if (!this.subscribers.has(frame.channel)) return;
    if (frame.kind === 'inline') {
      const { channel, message } = frame;
      this.tail = this.tail.then(() => this.deliver(channel, message));
      return;
    }
    const fetched = this.fetchSpilled(frame.id).catch((error: unknown) => {
      this.logger.warn('a2a-stores/postgres coordination: could not read a spilled message', {
        error: error instanceof Error ? error.name : typeof error,
      });
      return undefined;
    });
    // The fetch starts at once (in parallel with earlier ones); delivery waits its turn.
    this.tail = this.tail.then(async () => {
      const row = await fetched;
      if (!row) {
        this.logger.warn('a2a-stores/postgres coordination: a spilled message was already gone');
        return;
      }
      this.deliver(row.channel, row.payload);
    });
  }

  private deliver(channel: string, message: string): void {
    const set = this.subscribers.get(channel);
    if (!set) return;
    for (const subscription of [...set]) {
      // An unsubscribe made by an earlier listener of this same message takes effect at once.
      if (!set.has(subscription)) continue;
      try {
        subscription.listener(message);
      } catch (error) {
        this.logger.warn('a2a-stores/postgres coordination: a channel listener threw', {
          error: error instanceof Error ? error.name : typeof error,
        });
      }
    }
  }
}
