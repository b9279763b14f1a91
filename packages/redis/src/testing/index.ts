export { type RedisRawProbeOptions, redisRawProbe } from './raw-probe.js';
