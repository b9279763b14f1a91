// Core's coordinator suites (`runCoordinationBackendConformance`: leases and channels;
// `runClusterConformance`: cross-worker cancel, subscribe, push-once and recovery through core's
// engine) on the Redis backend, standalone and on a Redis Cluster started here. Each harness has
// a key prefix of its own, so sweeps claim only this file's leases.
import {
  runClusterConformance,
  runCoordinationBackendConformance,
} from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster } from '@a2a-stores/test-backends';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisCoordination, DEFAULT_CLIENT_OPTIONS, type RedisClient } from '../src/index.js';
import { connectTestRedis, deleteKeysWithPrefix, testPrefix } from './helpers.js';

let standalone: Redis;
let cluster: RedisClusterInstance;
let clusterClient: Cluster;

beforeAll(async () => {
  standalone = await connectTestRedis();
  cluster = await startRedisCluster(3);
  clusterClient = new Cluster([...cluster.nodes], { redisOptions: { ...DEFAULT_CLIENT_OPTIONS } });
  clusterClient.on('error', () => {});
  await clusterClient.ping();
}, 120_000);

afterAll(async () => {
  standalone?.disconnect();
  clusterClient?.disconnect();
  await cluster?.stop();
});

function harness(name: string, client: () => RedisClient) {
  const keyPrefix = testPrefix(`coord-conformance-${name}`);
  return {
    name,
    create: () => createRedisCoordination({ client: client(), keyPrefix }),
    destroy: async () => {
      await deleteKeysWithPrefix(client(), keyPrefix);
    },
  };
}

runCoordinationBackendConformance(harness('redis', () => standalone));
runCoordinationBackendConformance(harness('redis-cluster', () => clusterClient));
// The whole cluster suite (events and recovery): the recovery group waits for the recovering
// worker's count, which over Redis may land after the subscriber has seen the outcome.
runClusterConformance(harness('redis', () => standalone));
runClusterConformance(harness('redis-cluster', () => clusterClient));
