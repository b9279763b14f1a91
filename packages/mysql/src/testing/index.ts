export { type MysqlRawProbeOptions, mysqlRawProbe } from './raw-probe.js';
