import { StoreClosedError, StoreConfigurationError, StoreUnavailableError } from '@a2a-stores/core';
import { Cluster, Redis } from 'ioredis';
import { ReplicaAckError, toStoreError } from './errors.js';
import { registryKey } from './keys.js';
import {
  DEFAULT_CLIENT_OPTIONS,
  type RedisClient,
  type RedisConnection,
  type ResolvedRedisOptions,
} from './options.js';
import { ScopeKeysCache } from './scope-keys-cache.js';

/**
 * How long a call waits for a Cluster client that is not ready (starting, or reconnecting after
 * losing every node) before failing. ioredis' Cluster would otherwise hold the command in its
 * offline queue until the cluster returns, however long that takes.
 */
export const CLUSTER_READY_TIMEOUT_MS = 2_000;

/** Scope tags this process already registered; cleared when it grows past this. */
const MAX_REGISTERED_TAGS = 100_000;

function openClient(connection: RedisConnection): { client: RedisClient; owned: boolean } {
  if (connection.client) return { client: connection.client, owned: false };
  let client: RedisClient;
  if (connection.url !== undefined) {
    client = new Redis(connection.url, { ...DEFAULT_CLIENT_OPTIONS, ...connection.redisOptions });
  } else if (connection.sentinels !== undefined) {
    client = new Redis({
      // Subscribes to the sentinels' +switch-master, so a failover is followed when it is
      // announced rather than only when the old master's connection breaks.
      failoverDetector: true,
      ...DEFAULT_CLIENT_OPTIONS,
      ...connection.redisOptions,
      sentinels: connection.sentinels.map(({ host, port }) => ({ host, port })),
      name: connection.name,
    });
  } else {
    const { cluster, clusterOptions } = connection;
    client = new Cluster([...cluster], {
      // Commands are only sent once the cluster is ready (see RedisSession.clusterReady), so
      // none can sit queued through an outage and run, unexpectedly late, when it ends.
      enableOfflineQueue: false,
      ...clusterOptions,
      redisOptions: { ...DEFAULT_CLIENT_OPTIONS, ...clusterOptions?.redisOptions },
    });
  }
  // Failures reach callers as typed errors; without a listener ioredis prints every
  // reconnection error to the console.
  client.on('error', () => {});
  return { client, owned: true };
}

function rethrowAsStoreError(error: unknown): never {
  throw toStoreError(error);
}

/**
 * The connection the task and push backends share: ownership, error mapping, replica waits and
 * the registry of scopes (for cross-scope purge).
 */
export class RedisSession {
  readonly client: RedisClient;
  readonly owned: boolean;
  /** Key bases of the scopes this session serves (hashing a scope once, not per call). */
  readonly scopes: ScopeKeysCache;
  private closed = false;
  private readonly registered = new Set<string>();
  private readyWait: Promise<void> | undefined;
  /** True once the database index of the client is known to exist (see {@link ensureDatabase}). */
  private databaseChecked = false;

  constructor(
    connection: RedisConnection,
    readonly options: ResolvedRedisOptions,
  ) {
    ({ client: this.client, owned: this.owned } = openClient(connection));
    this.scopes = new ScopeKeysCache(options.keyPrefix);
  }

  /**
   * Runs Redis commands, mapping failures to core's typed errors. On a standalone client the
   * commands go out at once, with one promise layer (the error mapping) around ioredis' own: no
   * async frame and no readiness wait, which would each cost a turn of the microtask queue.
   */
  call<T>(work: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.client.isCluster) return this.callWhenReady(work);
    if (!this.databaseChecked) return this.ensureDatabase().then(() => this.call(work));
    let pending: Promise<T>;
    try {
      pending = work(this.client);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.catch(rethrowAsStoreError);
  }

  /**
   * Refuses a database index the server does not have. ioredis answers a failed SELECT (e.g.
   * `redis://host/99` on a 16-database server) with an 'error' event only, then sends every
   * command to database 0: the stores would silently mix their keys with whatever lives there.
   * One SELECT of the configured index, before the first command, makes that a typed error.
   * Only a success is remembered, so each call keeps failing until the URL is fixed.
   */
  async ensureDatabase(): Promise<void> {
    if (this.databaseChecked || this.client.isCluster) return;
    if (this.closed) throw new StoreClosedError();
    const db = Number((this.client as Redis).options.db ?? 0);
    if (db !== 0) {
      try {
        await this.client.select(db);
      } catch (error) {
        if (error instanceof Error && /DB index|invalid DB/i.test(error.message)) {
          throw new StoreConfigurationError(
            'Redis',
            'missing-database',
            `database index ${db} is out of range: the server has fewer databases (its \`databases\` setting)`,
            { cause: error },
          );
        }
        throw toStoreError(error);
      }
    }
    this.databaseChecked = true;
  }

  /** A Cluster call: sent once the cluster is ready (see {@link clusterReady}). */
  private async callWhenReady<T>(work: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      await this.clusterReady();
      return await work(this.client);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /**
   * Lets a call to a Cluster client go out only once the cluster is ready, waiting at most
   * {@link CLUSTER_READY_TIMEOUT_MS}. Concurrent calls share one wait (one listener).
   */
  private clusterReady(): Promise<void> {
    const client = this.client;
    if (!client.isCluster || client.status === 'ready' || client.status === 'end') {
      return Promise.resolve();
    }
    this.readyWait ??= new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new StoreUnavailableError(`Redis Cluster is not ready (${client.status})`));
      }, CLUSTER_READY_TIMEOUT_MS);
      client.once('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => {});
    }).finally(() => {
      this.readyWait = undefined;
    });
    return this.readyWait;
  }

  /**
   * With `waitForReplicas`, blocks until enough replicas have the writes this connection made.
   * WAIT has no key, so it is pipelined behind a keyed no-op: in a cluster both then go to the
   * node that owns `routingKey`'s slot, the node that took the write.
   */
  async awaitReplicas(routingKey: string): Promise<void> {
    const wait = this.options.waitForReplicas;
    if (!wait) return;
    const replies = await this.call((client) =>
      client.pipeline().exists(routingKey).wait(wait.replicas, wait.timeoutMs).exec(),
    );
    const [error, acknowledged] = replies?.[1] ?? [new Error('WAIT got no reply'), 0];
    if (error) throw toStoreError(error);
    if (Number(acknowledged) < wait.replicas) {
      throw new ReplicaAckError(wait.replicas, Number(acknowledged), wait.timeoutMs);
    }
  }

  /**
   * Records a scope in the registry before its first write from this process, so a cross-scope
   * purge finds it. The registry lives on its own slot, outside the write's script; adding
   * before writing means every scope holding data is registered.
   */
  async registerScope(tag: string): Promise<void> {
    if (this.registered.has(tag)) return;
    await this.call((client) => client.sadd(registryKey(this.options.keyPrefix), tag));
    if (this.registered.size >= MAX_REGISTERED_TAGS) this.registered.clear();
    this.registered.add(tag);
  }

  /** Walks the registry of scope tags (SSCAN: bounded work per round trip). */
  async *registeredScopes(): AsyncGenerator<string> {
    let cursor = '0';
    do {
      const [next, tags] = await this.call((client) =>
        client.sscan(registryKey(this.options.keyPrefix), cursor, 'COUNT', 200),
      );
      cursor = next;
      yield* tags;
    } while (cursor !== '0');
  }

  /** The masters to check in `migrate()`: every cluster master, or the one server. */
  async masters(): Promise<Redis[]> {
    const client = this.client;
    if (!client.isCluster) return [client as Redis];
    // Any keyed command makes a lazily connecting cluster load its slot map first.
    await this.call((c) => c.exists(registryKey(this.options.keyPrefix)));
    return (client as Cluster).nodes('master');
  }

  /** Quits only a connection the stores opened; later calls throw `StoreClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.owned || this.client.status === 'end') return;
    try {
      // Waits for replies still pending, then closes; during an outage ioredis drops the
      // (already broken) connection and stops reconnecting.
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
