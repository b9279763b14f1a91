import { runRawProbeGroup, runStoreConformance } from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster } from '@a2a-stores/test-backends';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS } from '../src/index.js';
import { redisHarness, testPrefix } from './helpers.js';

// The whole suite again on a 3-master Redis Cluster this file starts on free loopback ports:
// every multi-key script must stay on one slot, or Redis refuses it with CROSSSLOT.
const prefix = testPrefix('cluster');
let cluster: RedisClusterInstance;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster([...cluster.nodes], { redisOptions: { ...DEFAULT_CLIENT_OPTIONS } });
  client.on('error', () => {});
}, 120_000);

afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});

runStoreConformance(redisHarness('redis cluster', () => client, prefix));
// The probe's script and transaction must stay on the scope's slot too.
runRawProbeGroup(redisHarness('redis cluster', () => client, prefix));
