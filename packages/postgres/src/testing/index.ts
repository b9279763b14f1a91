export { type PostgresRawProbeOptions, postgresRawProbe } from './raw-probe.js';
