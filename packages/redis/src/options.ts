import type { CoreStoreOptions } from '@a2a-stores/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** An ioredis client: standalone (`Redis`) or `Cluster`. */
export type RedisClient = Redis | Cluster;

/**
 * Where the stores keep their data: a client you created (never closed by the stores), a URL, or
 * the startup nodes of a Redis Cluster (the stores create, and later quit, that connection).
 */
export type RedisConnection =
  | {
      /**
       * Your client. Configure it to fail fast during an outage, e.g.
       * `{ maxRetriesPerRequest: 0, commandTimeout: 10_000, autoResendUnfulfilledCommands: false }`
       * (see {@link DEFAULT_CLIENT_OPTIONS}); with ioredis' defaults a call waits through up to 20
       * reconnection attempts before failing.
       */
      readonly client: RedisClient;
      readonly url?: never;
      readonly cluster?: never;
      readonly sentinels?: never;
    }
  | {
      /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
      readonly url: string;
      /** Merged over {@link DEFAULT_CLIENT_OPTIONS}. */
      readonly redisOptions?: RedisOptions;
      readonly client?: never;
      readonly cluster?: never;
      readonly sentinels?: never;
    }
  | {
      /** Startup nodes of a Redis Cluster. */
      readonly cluster: readonly ClusterNode[];
      /** Passed to ioredis' `Cluster`; its `redisOptions` are merged over {@link DEFAULT_CLIENT_OPTIONS}. */
      readonly clusterOptions?: ClusterOptions;
      readonly client?: never;
      readonly url?: never;
      readonly sentinels?: never;
    }
  | {
      /**
       * Redis Sentinel: the sentinels to ask where the master named {@link name} is. The client
       * follows failovers (it re-asks the sentinels when the connection drops, and on their
       * `+switch-master`); calls made during the switch fail with `StoreUnavailableError`.
       */
      readonly sentinels: readonly { readonly host: string; readonly port: number }[];
      /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
      readonly name: string;
      /** Merged over {@link DEFAULT_CLIENT_OPTIONS} (e.g. `password`, `sentinelPassword`, `tls`). */
      readonly redisOptions?: RedisOptions;
      readonly client?: never;
      readonly url?: never;
      readonly cluster?: never;
    };

/** Wait for replicas after every write (Redis `WAIT`). */
export interface WaitForReplicasOptions {
  /** Replicas that must acknowledge each write (0 makes WAIT return at once). */
  readonly replicas: number;
  /** How long to wait for them, in ms (at least 1: WAIT 0 would block forever). */
  readonly timeoutMs: number;
}

/** Options of {@link createRedisStores}: the core options plus Redis specifics. */
export interface RedisStoreOptions extends CoreStoreOptions {
  /**
   * Start of every key (default `'a2a:'`). Lets several deployments share one Redis. Must not
   * contain `{` or `}`: the scope's hash tag must be the first braces of each key.
   */
  keyPrefix?: string;
  /**
   * Milliseconds a finished task (completed, failed, canceled, rejected) is kept after its last
   * write; its keys get this TTL and it leaves `list` and `totalSize` when it expires. Default:
   * kept until deleted or purged. Every store sharing a `keyPrefix` should use the same value.
   */
  finishedTaskTtl?: number;
  /**
   * After each write, wait until this many replicas acknowledged it; a `ReplicaAckError` is
   * thrown otherwise (the write stays applied on the primary). Default: do not wait.
   */
  waitForReplicas?: WaitForReplicasOptions;
  /**
   * Expired tasks removed from the indexes per script call (default 256). Bounds how long one
   * call holds the server after a mass expiry; `list` repeats calls until none is left.
   */
  expiryPruneBatch?: number;
}

/**
 * ioredis options applied to the connections the stores create (yours win, key by key): fail a
 * call instead of queueing it through reconnection attempts, never resend a command whose reply
 * was lost (a resent compare-and-set would report a conflict for its own write), and bound every
 * command in time. The client keeps reconnecting in the background, so calls recover on their
 * own when the server returns.
 */
export const DEFAULT_CLIENT_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 10_000,
  connectTimeout: 5_000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1_000),
});

/** Default {@link RedisStoreOptions.keyPrefix}. */
export const DEFAULT_KEY_PREFIX = 'a2a:';
/** Default {@link RedisStoreOptions.expiryPruneBatch}. */
export const DEFAULT_EXPIRY_PRUNE_BATCH = 256;
const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

/** The Redis options after validation. */
export interface ResolvedRedisOptions {
  readonly keyPrefix: string;
  /** 0 when finished tasks do not expire. */
  readonly finishedTaskTtl: number;
  readonly waitForReplicas: WaitForReplicasOptions | undefined;
  readonly expiryPruneBatch: number;
}

function assertIntegerIn(
  name: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(
      `${name} must be an integer between ${min} and ${max}, got ${String(value)}`,
    );
  }
}

function assertPrefix(where: string, prefix: unknown): void {
  if (typeof prefix === 'string' && /[{}]/.test(prefix)) {
    throw new TypeError(
      `${where} must not contain '{' or '}' (it would replace the scope's hash tag)`,
    );
  }
}

/** Validates the connection argument and the client's own key prefix before anything connects. */
export function validateConnection(connection: RedisConnection): void {
  if (typeof connection !== 'object' || connection === null) {
    throw new TypeError(
      'createRedisStores: expected { client }, { url }, { cluster } or { sentinels, name }',
    );
  }
  const given = ['client', 'url', 'cluster', 'sentinels'].filter(
    (name) => (connection as Record<string, unknown>)[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new TypeError(
      'createRedisStores: pass exactly one of { client }, { url }, { cluster } or { sentinels, name }',
    );
  }
  if (connection.sentinels !== undefined) {
    const valid =
      Array.isArray(connection.sentinels) &&
      connection.sentinels.length > 0 &&
      connection.sentinels.every(
        (s) => typeof s?.host === 'string' && Number.isInteger(s.port) && s.port > 0,
      );
    if (!valid) {
      throw new TypeError(
        'createRedisStores: sentinels must be a non-empty array of { host, port }',
      );
    }
    if (typeof connection.name !== 'string' || connection.name === '') {
      throw new TypeError(
        'createRedisStores: name (the master name the sentinels monitor) must be a non-empty string',
      );
    }
    assertPrefix('redisOptions.keyPrefix', connection.redisOptions?.keyPrefix);
    return;
  }
  if (connection.client !== undefined) {
    const client = connection.client as {
      options?: { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } };
    };
    if (
      typeof client !== 'object' ||
      typeof (connection.client as { evalsha?: unknown }).evalsha !== 'function'
    ) {
      throw new TypeError('createRedisStores: client must be an ioredis Redis or Cluster');
    }
    assertPrefix('the client keyPrefix', client.options?.keyPrefix);
    assertPrefix('the cluster redisOptions.keyPrefix', client.options?.redisOptions?.keyPrefix);
  } else if (connection.url !== undefined) {
    if (typeof connection.url !== 'string' || !/^rediss?:\/\//.test(connection.url)) {
      throw new TypeError('createRedisStores: url must start with redis:// or rediss://');
    }
    assertPrefix('redisOptions.keyPrefix', connection.redisOptions?.keyPrefix);
  } else {
    if (!Array.isArray(connection.cluster) || connection.cluster.length === 0) {
      throw new TypeError('createRedisStores: cluster must be a non-empty array of startup nodes');
    }
    assertPrefix('clusterOptions.keyPrefix', connection.clusterOptions?.keyPrefix);
    assertPrefix(
      'clusterOptions.redisOptions.keyPrefix',
      connection.clusterOptions?.redisOptions?.keyPrefix,
    );
  }
}

/** Validates the Redis options, so a bad configuration fails at startup naming the option. */
export function resolveRedisOptions(options: RedisStoreOptions = {}): ResolvedRedisOptions {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 128) {
    throw new TypeError('keyPrefix must be a string of at most 128 characters');
  }
  assertPrefix('keyPrefix', keyPrefix);
  const finishedTaskTtl = options.finishedTaskTtl ?? 0;
  if (options.finishedTaskTtl !== undefined)
    assertIntegerIn('finishedTaskTtl', finishedTaskTtl, 1, MAX_TTL_MS);
  const wait = options.waitForReplicas;
  if (wait !== undefined) {
    if (typeof wait !== 'object' || wait === null)
      throw new TypeError('waitForReplicas must be { replicas, timeoutMs }');
    assertIntegerIn('waitForReplicas.replicas', wait.replicas, 0, 1_000);
    assertIntegerIn('waitForReplicas.timeoutMs', wait.timeoutMs, 1, 3_600_000);
  }
  const expiryPruneBatch = options.expiryPruneBatch ?? DEFAULT_EXPIRY_PRUNE_BATCH;
  assertIntegerIn('expiryPruneBatch', expiryPruneBatch, 1, 10_000);
  return {
    keyPrefix,
    finishedTaskTtl,
    waitForReplicas: wait && { replicas: wait.replicas, timeoutMs: wait.timeoutMs },
    expiryPruneBatch,
  };
}
