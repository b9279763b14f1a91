import {
  type ChannelListener,
  type ChannelState,
  StoreClosedError,
  type StoreLogger,
  StoreUnavailableError,
  type Unsubscribe,
} from '@a2a-stores/core';
import type { Redis } from 'ioredis';
import { toStoreError } from '../errors.js';

/** Pause between attempts to open a replacement subscriber connection. */
const REOPEN_DELAY_MS = 1_000;

/** One registration; an object, so one function subscribed twice is two subscriptions. */
interface Entry {
  readonly listener: ChannelListener;
}

/**
 * The backend's one subscriber connection, opened on the first `subscribe`. It is opened with
 * `autoResubscribe: false`: after a reconnection this class subscribes every channel that still
 * has listeners itself and reports `up` only once Redis acknowledged all of them, which
 * ioredis' own re-subscription (fire-and-forget before its `ready` event) cannot tell us. The
 * offline queue is off, so a command never waits through an outage.
 */
export class ChannelSubscriber {
  private connection: Redis | undefined;
  /** Listeners by wire channel; a channel is subscribed in Redis while it has an entry here. */
  private readonly channels = new Map<string, Set<Entry>>();
  private readonly stateListeners = new Set<(state: ChannelState) => void>();
  /** Undefined until the first connection is ready. */
  private state: ChannelState | undefined;
  /** Bumped per connection event, so a re-subscription finishing late cannot report `up`. */
  private generation = 0;
  private closed = false;
  private reopenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: () => Promise<Redis>,
    private readonly timeoutMs: number,
    private readonly logger: StoreLogger | undefined,
  ) {}

  async subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
    const connection = await this.readyConnection();
    const entry: Entry = { listener };
    let entries = this.channels.get(channel);
    if (!entries) {
      entries = new Set();
      this.channels.set(channel, entries);
    }
    entries.add(entry);
    try {
      // Sent even when the channel is already subscribed: its acknowledgement comes after
      // any UNSUBSCRIBE of the channel still in flight, so delivery is active when it resolves.
      await connection.subscribe(channel);
    } catch (error) {
      this.remove(channel, entry);
      throw toStoreError(error);
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      if (this.remove(channel, entry) && connection.status === 'ready') {
        // A failure means the connection dropped: the channel is not re-subscribed on
        // reconnection since it has no entry any more.
        await connection.unsubscribe(channel).catch(() => {});
      }
    };
  }

  onState(listener: (state: ChannelState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Ends the subscriber connection; later subscribes throw `StoreClosedError`. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.channels.clear();
    this.stateListeners.clear();
    this.generation++;
    this.connection?.disconnect();
    this.connection = undefined;
  }

  /** Removes one entry; true when the channel has no listener left. */
  private remove(channel: string, entry: Entry): boolean {
    const entries = this.channels.get(channel);
    if (!entries?.delete(entry) || entries.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  /**
   * The connection once ready: opened (and waited for, bounded) on first use. While a known
   * outage lasts, fails at once rather than making every caller wait for the timeout.
   */
  private async readyConnection(): Promise<Redis> {
    if (this.closed) throw new StoreClosedError();
    if (this.state === 'down' && this.connection) {
      throw new StoreUnavailableError('Redis pub/sub connection is down');
    }
    if (!this.connection) {
      const connection = await this.open();
      if (this.closed) {
        connection.disconnect();
        throw new StoreClosedError();
      }
      if (this.connection) connection.disconnect();
      else this.attach(connection);
    }
    const connection = this.connection as unknown as Redis;
    if (connection.status !== 'ready') await this.waitReady(connection);
    return connection;
  }

  private waitReady(connection: Redis): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        connection.off('ready', onReady);
        reject(new StoreUnavailableError('Redis pub/sub connection is not ready'));
      }, this.timeoutMs);
      connection.once('ready', onReady);
    });
  }

  private attach(connection: Redis): void {
    this.connection = connection;
    connection.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    connection.on('error', (error: Error) => {
      this.logger?.warn('Redis coordination subscriber error', { error: error.message });
    });
    connection.on('ready', () => this.onReady(connection));
    connection.on('close', () => {
      if (this.connection !== connection) return;
      this.generation++;
      this.setState('down');
    });
    connection.on('end', () => {
      // The client gave up reconnecting (its retryStrategy): the next subscribe opens a new
      // connection, and Cluster mode opens one to another node at once (see open()).
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.setState('down');
      if (!this.closed && this.channels.size > 0) this.reopen();
    });
  }

  /** Opens a replacement connection, retrying every {@link REOPEN_DELAY_MS} until it works. */
  private reopen(): void {
    this.open().then(
      (connection) => {
        if (this.closed || this.connection) connection.disconnect();
        else this.attach(connection);
      },
      (error: unknown) => {
        this.logger?.warn('Redis coordination subscriber could not reconnect', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (this.closed) return;
        this.reopenTimer = setTimeout(() => {
          this.reopenTimer = undefined;
          if (!this.closed && !this.connection) this.reopen();
        }, REOPEN_DELAY_MS);
      },
    );
  }

  private onReady(connection: Redis): void {
    if (this.connection !== connection) return;
    const generation = ++this.generation;
    const channels = [...this.channels.keys()];
    const resubscribed =
      channels.length > 0 ? connection.subscribe(...channels) : Promise.resolve();
    resubscribed.then(
      () => {
        if (generation === this.generation) this.setState('up');
      },
      // The connection dropped again; its next `ready` retries.
      () => {},
    );
  }

  private setState(state: ChannelState): void {
    const previous = this.state;
    this.state = state;
    // The first connection coming up is not a recovery; only report changes after it.
    if (previous === undefined || previous === state) return;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch (error) {
        this.logger?.warn('Redis coordination channel-state listener threw', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private dispatch(channel: string, message: string): void {
    const entries = this.channels.get(channel);
    if (!entries) return;
    for (const { listener } of [...entries]) {
      try {
        listener(message);
      } catch (error) {
        this.logger?.warn('Redis coordination channel listener threw', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
