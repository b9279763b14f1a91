import type { PushUrlCheck, ScopeResolver, SqlMigration, StoreBundle } from '@a2a-stores/core';
import { CliError, ExitCode } from './exit-codes.js';
import { ADAPTER_PACKAGES, type TargetSpec } from './target-url.js';

/** Where the adapter keeps its tables or keys, from `--schema`, `--table-prefix`, `--key-prefix`. */
export interface TargetNaming {
  readonly schema?: string;
  readonly tablePrefix?: string;
  readonly keyPrefix?: string;
}

/**
 * The CLI acts as the operator, never on behalf of a caller: every scoped call it makes (the
 * schema probe) goes to one fixed scope, without the anonymous-caller warning.
 */
const operatorScope: ScopeResolver = () => ({ tenant: '', owner: '' });

/** An opened adapter, plus its migration SQL when the adapter publishes it. */
export interface OpenedTarget {
  readonly bundle: StoreBundle;
  /** The ordered migration steps with their SQL, or undefined (Redis has no SQL). */
  readonly migrations: readonly SqlMigration[] | undefined;
}

/**
 * The migration SQL of a target without connecting to it (for `migrate --dry-run`), or undefined
 * when the adapter has none.
 */
export async function migrationSqlOf(
  spec: TargetSpec,
  naming: TargetNaming,
): Promise<readonly SqlMigration[] | undefined> {
  switch (spec.kind) {
    case 'sqlite': {
      const { sqliteMigrations } = await importAdapter<typeof import('@a2a-stores/sqlite')>(spec);
      return sqliteMigrations(naming.tablePrefix);
    }
    case 'postgres': {
      const { postgresMigrations } =
        await importAdapter<typeof import('@a2a-stores/postgres')>(spec);
      return postgresMigrations({ schema: naming.schema, tablePrefix: naming.tablePrefix });
    }
    case 'mysql': {
      const { mysqlMigrations, tableNames } =
        await importAdapter<typeof import('@a2a-stores/mysql')>(spec);
      return mysqlMigrations(tableNames(naming.tablePrefix));
    }
    case 'redis':
      return undefined;
  }
}

/**
 * Loads the adapter package the URL needs (only that one: the others are optional peers) and
 * creates its stores. Nothing connects until the first call on the bundle. `scopeResolver`
 * defaults to the operator's fixed scope; `rotate-keys` passes core's default resolver, because
 * it reads and writes each scope through the contexts that resolver maps to it.
 * `pushUrlCheck` replaces the adapter's default push URL policy (see `rotate-keys`).
 */
export async function openTarget(
  spec: TargetSpec,
  naming: TargetNaming,
  scopeResolver: ScopeResolver = operatorScope,
  pushUrlCheck?: PushUrlCheck,
): Promise<OpenedTarget> {
  const migrations = await migrationSqlOf(spec, naming);
  const core = { scopeResolver, ...(pushUrlCheck ? { pushUrlCheck } : {}) };
  switch (spec.kind) {
    case 'sqlite': {
      const { createSqliteStores } = await importAdapter<typeof import('@a2a-stores/sqlite')>(spec);
      return {
        bundle: createSqliteStores(
          { filename: spec.filename },
          { tablePrefix: naming.tablePrefix, ...core },
        ),
        migrations,
      };
    }
    case 'postgres': {
      const { createPostgresStores } =
        await importAdapter<typeof import('@a2a-stores/postgres')>(spec);
      return {
        bundle: createPostgresStores(
          { connectionString: spec.connectionString },
          { schema: naming.schema, tablePrefix: naming.tablePrefix, ...core },
        ),
        migrations,
      };
    }
    case 'mysql': {
      const { createMysqlStores } = await importAdapter<typeof import('@a2a-stores/mysql')>(spec);
      return {
        bundle: createMysqlStores({ uri: spec.uri }, { tablePrefix: naming.tablePrefix, ...core }),
        migrations,
      };
    }
    case 'redis': {
      const { createRedisStores } = await importAdapter<typeof import('@a2a-stores/redis')>(spec);
      return {
        bundle: createRedisStores({ url: spec.url }, { keyPrefix: naming.keyPrefix, ...core }),
        migrations,
      };
    }
  }
}

/** Loads the adapter package of `spec.kind`; exit code 5 naming it when it is not installed. */
export async function importAdapter<T>(spec: Pick<TargetSpec, 'kind'>): Promise<T> {
  const name = ADAPTER_PACKAGES[spec.kind];
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(
        ExitCode.adapterMissing,
        `a ${spec.kind} target needs ${name} and its driver: npm install ${name}`,
        { cause: error },
      );
    }
    throw error;
  }
}
