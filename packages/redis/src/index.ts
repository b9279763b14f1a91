export {
  DEFAULT_EXPIRED_LEASE_RETENTION_MS,
  DEFAULT_SUBSCRIBE_TIMEOUT_MS,
  type RedisCoordinationOptions,
  type RedisCoordinationSettings,
} from './coordination/options.js';
export { createRedisCoordination } from './coordination/redis-coordination.js';
export { createRedisStores, type RedisStoreBundle } from './create-redis-stores.js';
export { RedisFormatError, ReplicaAckError, UnsupportedRedisVersionError } from './errors.js';
export { MIN_REDIS_VERSION, REDIS_FORMAT_ID, REDIS_FORMAT_VERSION } from './migrate.js';
export {
  DEFAULT_CLIENT_OPTIONS,
  DEFAULT_EXPIRY_PRUNE_BATCH,
  DEFAULT_KEY_PREFIX,
  type RedisClient,
  type RedisConnection,
  type RedisStoreOptions,
  type WaitForReplicasOptions,
} from './options.js';
export { CLUSTER_READY_TIMEOUT_MS } from './session.js';
