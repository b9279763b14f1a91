export { freePort, portAnswers, waitFor } from './free-port.js';
export {
  dockerEngineReachable,
  type MariadbInstance,
  type MariadbInstanceOptions,
  type Mysql8Container,
  startMariadbInstance,
  startMysql8Container,
} from './mysql-servers.js';
export {
  type PostgresInstance,
  type PostgresInstanceOptions,
  startPostgresInstance,
} from './postgres-instance.js';
export {
  type RedisClusterInstance,
  type RedisInstance,
  type RedisInstanceOptions,
  redisCli,
  startRedisCluster,
  startRedisInstance,
} from './redis-instance.js';
export { type BackendKind, resolveTestBackend, type TestBackend } from './resolve-backend.js';
