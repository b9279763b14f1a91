export { contentOf, dumpKeys } from './key-content.js';
export { type RedisRawProbeOptions, redisRawProbe } from './raw-probe.js';
