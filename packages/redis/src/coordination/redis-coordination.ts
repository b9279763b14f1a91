import type {
  ChannelListener,
  ChannelState,
  CoordinationBackend,
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  Unsubscribe,
} from '@a2a-stores/core';
import type { Redis } from 'ioredis';
import { resolveRedisOptions, validateConnection } from '../options.js';
import { RedisSession } from '../session.js';
import { ChannelSubscriber } from './channel-subscriber.js';
import { publishRoutingKey, wireChannel } from './lease-keys.js';
import { type RedisCoordinationOptions, resolveCoordinationSettings } from './options.js';
import { publishScript } from './publish-script.js';
import { RedisLeases } from './redis-leases.js';

/**
 * Reconnection attempts of a Cluster subscriber connection before it gives up on its node and
 * a new one is opened to another master (the node may have failed over for good).
 */
const CLUSTER_SUBSCRIBER_ATTEMPTS = 5;

function subscriberOptions() {
  return { autoResubscribe: false, enableOfflineQueue: false, lazyConnect: false } as const;
}

/** The multi-worker coordination transport over Redis (see {@link createRedisCoordination}). */
class RedisCoordination implements CoordinationBackend {
  readonly name = 'redis';
  private readonly session: RedisSession;
  private readonly leases: RedisLeases;
  private readonly subscriber: ChannelSubscriber;
  private readonly prefix: string;
  private closing: Promise<void> | undefined;
  /** Set from the first publish until its database check is done and no publish queues behind it. */
  private publishGate: Promise<void> | undefined;
  private sessionReady = false;
  private queuedPublishes = 0;

  constructor(options: RedisCoordinationOptions) {
    validateConnection(options);
    const settings = resolveCoordinationSettings(options);
    const resolved = resolveRedisOptions({ keyPrefix: options.keyPrefix });
    this.prefix = resolved.keyPrefix;
    this.session = new RedisSession(options, resolved);
    this.leases = new RedisLeases(this.session, this.prefix, settings.expiredLeaseRetentionMs);
    this.subscriber = new ChannelSubscriber(
      () => this.openSubscriber(),
      settings.subscribeTimeoutMs,
      options.logger,
    );
  }

  /** The session's database check; a failure re-opens the gate for the next publish. */
  private openGate(): Promise<void> {
    const gate = this.session.ensureDatabase().then(
      () => {
        this.sessionReady = true;
      },
      (error: unknown) => {
        this.publishGate = undefined;
        throw error;
      },
    );
    gate.catch(() => {});
    return gate;
  }

  acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    return this.leases.acquire(request, ttlMs);
  }

  renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.renew(key, holder, token, ttlMs);
  }

  releaseLease(key: string, holder: string, token: string): Promise<void> {
    return this.leases.release(key, holder, token);
  }

  readLease(key: string): Promise<LeaseRecord | undefined> {
    return this.leases.read(key);
  }

  claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    return this.leases.claimExpired(holder, token, ttlMs, limit);
  }

  /**
   * Publishes in call order. The session's first call waits for its database check, which
   * would let later calls overtake it; so until that check is done, and while any publish
   * still waits behind it, publishes queue in order on one promise (its callbacks run FIFO).
   */
  publish(channel: string, message: string): Promise<void> {
    if (this.publishGate === undefined) {
      if (this.sessionReady) return this.send(channel, message);
      this.publishGate = this.openGate();
    }
    this.queuedPublishes++;
    return this.publishGate
      .then(
        () => {
          this.queuedPublishes--;
          return this.send(channel, message);
        },
        (error: unknown) => {
          this.queuedPublishes--;
          throw error;
        },
      )
      .finally(() => {
        if (this.queuedPublishes === 0 && this.sessionReady) this.publishGate = undefined;
      });
  }

  /**
   * Plain PUBLISH. On a Cluster it is sent through a script keyed by the channel's routing key:
   * ioredis sends a keyless PUBLISH to any node, and messages entering the cluster bus through
   * different nodes can overtake each other; one entry node per channel keeps them in order.
   */
  private async send(channel: string, message: string): Promise<void> {
    const wire = wireChannel(this.prefix, channel);
    await this.session.call((client) =>
      client.isCluster
        ? publishScript.run(client, [publishRoutingKey(this.prefix, channel)], [wire, message])
        : client.publish(wire, message),
    );
  }

  subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
    return this.subscriber.subscribe(wireChannel(this.prefix, channel), listener);
  }

  onChannelState(listener: (state: ChannelState) => void): () => void {
    return this.subscriber.onState(listener);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.subscriber.close();
      await this.session.close();
    })();
    return this.closing;
  }

  /**
   * A standalone client is duplicated (same server, database, credentials, TLS). A Cluster's
   * plain pub/sub reaches every node, so the subscriber is one connection to a master picked at
   * random, with bounded reconnection so it moves to another node when that one is gone.
   */
  private async openSubscriber(): Promise<Redis> {
    const client = this.session.client;
    let connection: Redis;
    if (!client.isCluster) {
      connection = (client as Redis).duplicate(subscriberOptions());
    } else {
      const masters = await this.session.masters();
      const node = masters[Math.floor(Math.random() * masters.length)];
      if (!node) throw new Error('Redis Cluster reported no master');
      connection = node.duplicate({
        ...subscriberOptions(),
        readOnly: false,
        retryStrategy: (attempt: number) =>
          attempt > CLUSTER_SUBSCRIBER_ATTEMPTS ? null : Math.min(50 * 2 ** attempt, 1_000),
      });
    }
    connection.on('error', () => {});
    return connection;
  }
}

/**
 * The Redis transport of multi-worker coordination: execution leases in hash-tagged hashes
 * with an expiry index, judged on the server's clock, and cross-worker messages over pub/sub on
 * one lazily opened subscriber connection. Pass the client your stores use (`{ client }`, never
 * quit by the backend), a `{ url }` or `{ cluster }` startup nodes, and the stores' `keyPrefix`.
 */
export function createRedisCoordination(options: RedisCoordinationOptions): CoordinationBackend {
  return new RedisCoordination(options);
}
