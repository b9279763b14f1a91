export {
  createPostgresStores,
  type PostgresClientStores,
  type PostgresStoreBundle,
} from './create-postgres-stores.js';
export { postgresMigrations } from './migrations.js';
export {
  type PostgresConnection,
  type PostgresStoreOptions,
  resolvePostgresNames,
} from './options.js';
