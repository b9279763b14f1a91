export {
  connectA2aClient,
  plainTextPart,
  pushConfig,
  type SendRequestOptions,
  sendRequest,
  userMessage,
} from './a2a-client.js';
export { type IntegerBounds, integerOption, nameListOption } from './cli-options.js';
export { freePort, portAnswers, waitFor } from './free-port.js';
export { type GaleraCluster, type GaleraNode, startGaleraCluster } from './galera-cluster.js';
export {
  dockerEngineReachable,
  type MariadbInstance,
  type MariadbInstanceOptions,
  type Mysql8Container,
  startMariadbInstance,
  startMysql8Container,
} from './mysql-servers.js';
export {
  type PgBouncerInstance,
  type PgBouncerOptions,
  startPgBouncer,
} from './pgbouncer-instance.js';
export {
  type PostgresInstance,
  type PostgresInstanceOptions,
  type PostgresStandbyOptions,
  startPostgresInstance,
  startPostgresStandby,
} from './postgres-instance.js';
export { quantile } from './quantile.js';
export {
  type RedisClusterInstance,
  type RedisClusterOptions,
  type RedisInstance,
  type RedisInstanceOptions,
  redisCli,
  startRedisCluster,
  startRedisInstance,
} from './redis-instance.js';
export {
  type RedisSentinelGroup,
  type RedisSentinelOptions,
  SENTINEL_MASTER_NAME,
  startRedisSentinelGroup,
} from './redis-sentinel.js';
export { type BackendKind, resolveTestBackend, type TestBackend } from './resolve-backend.js';
export {
  type ReceivedNotification,
  startWebhookReceiver,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhook-receiver.js';
