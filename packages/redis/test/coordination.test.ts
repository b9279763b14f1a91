import {
  type RedisClusterInstance,
  resolveTestBackend,
  startRedisCluster,
} from '@a2a-stores/test-backends';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS, type RedisClient } from '../src/index.js';
import { describeCoordination } from './coordination-suite.js';
import { connectTestRedis } from './helpers.js';

/** Clients named `name` in CLIENT LIST of each node. */
async function countNamed(nodes: readonly Redis[], name: string): Promise<number> {
  let count = 0;
  for (const node of nodes) {
    const list = (await node.client('LIST')) as string;
    count += list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  }
  return count;
}

let standalone: Redis;
let standaloneUrl: string;
let cluster: RedisClusterInstance;
let clusterClient: Cluster;

beforeAll(async () => {
  standaloneUrl = (await resolveTestBackend('redis')).url;
  standalone = await connectTestRedis();
  cluster = await startRedisCluster(3);
  clusterClient = new Cluster([...cluster.nodes], {
    redisOptions: { ...DEFAULT_CLIENT_OPTIONS },
  });
  clusterClient.on('error', () => {});
  await clusterClient.ping();
}, 120_000);

afterAll(async () => {
  standalone?.disconnect();
  clusterClient?.disconnect();
  await cluster?.stop();
});

describeCoordination('standalone', () => ({
  client: (): RedisClient => standalone,
  owned: () => ({ url: standaloneUrl }),
  connectedNamed: (name) => countNamed([standalone], name),
}));

describeCoordination('Redis Cluster', () => ({
  client: (): RedisClient => clusterClient,
  owned: () => ({ cluster: [...cluster.nodes] }),
  connectedNamed: (name) => countNamed(clusterClient.nodes('master'), name),
}));
