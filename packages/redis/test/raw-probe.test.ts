import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  runRawProbeGroup,
} from '@a2a-stores/core/conformance';
import { afterAll, expect, it } from 'vitest';
import { createRedisStores } from '../src/index.js';
import { pushConfigsKey } from '../src/keys.js';
import { redisRawProbe } from '../src/testing/index.js';
import {
  baseOf,
  connectTestRedis,
  deleteKeysWithPrefix,
  redisHarness,
  testPrefix,
} from './helpers.js';

// The probe the conformance harnesses use (standalone and cluster), checked on its own.
const prefix = testPrefix('probe');
const client = await connectTestRedis();
afterAll(async () => {
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

runRawProbeGroup(redisHarness('redis', () => client, prefix));

it('redisRawProbe lists a stored config missing from the order list too, after the ordered ones', async () => {
  const stores = createRedisStores(
    { client },
    { keyPrefix: prefix, pushUrlCheck: conformancePushUrlCheck() },
  );
  const scope = randomScope();
  const ctx = callContext(scope);
  const task = makeTask();
  await stores.taskStore.save(task, ctx);
  const config = makePushConfig(task.id);
  await stores.pushNotificationStore.save(task.id, ctx, config);
  await client.hset(pushConfigsKey(baseOf(prefix, scope), task.id), 'stray', 'unordered');
  const raw = await redisRawProbe(client, { keyPrefix: prefix }).readPushConfigsRaw(scope, task.id);
  expect(raw).toHaveLength(2);
  expect(raw[0]).toContain(config.token);
  expect(raw[1]).toBe('unordered');
});

it('redisRawProbe refuses a prefix the stores would refuse', () => {
  expect(() => redisRawProbe(client, { keyPrefix: 'a{b}:' })).toThrow(TypeError);
});
