export { type SqliteRawProbeOptions, sqliteRawProbe } from './raw-probe.js';
