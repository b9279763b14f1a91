export { type ConfigurationCodes, configurationErrorOf } from './configuration-errors.js';
export {
  assertSqlIdentifier,
  quoteSqlIdentifier,
  SQL_IDENTIFIER_PATTERN,
  type SqlIdentifierRules,
} from './identifiers.js';
export {
  buildListPredicates,
  DEFAULT_LIST_COLUMNS,
  type ListColumns,
  type ListPredicateOptions,
  type ListPredicates,
} from './keyset.js';
export {
  type MigrationScriptParts,
  renderMigrationScript,
  sqlStringLiteral,
} from './migration-script.js';
export {
  applyPendingMigrations,
  type MigrationLedger,
  missingMigrationIds,
  SchemaGate,
  type SqlMigration,
} from './migrations.js';
export { isNetworkError, NETWORK_ERROR_CODES } from './network-errors.js';
export {
  type CountedTask,
  counterKeyForList,
  type SqlTaskRecord,
  type TaskCounterChange,
  type TaskCounterKey,
  taskCounterChanges,
  taskCounterKeys,
  toSafeInteger,
  toTaskRow,
} from './task-rows.js';
export {
  taskKeyValues,
  taskListedValues,
  taskRewriteValues,
  taskRowValues,
  taskWriteValues,
} from './task-write-values.js';
