export { dropMysqlTables } from './drop-tables.js';
export { type MysqlRawProbeOptions, mysqlRawProbe } from './raw-probe.js';
