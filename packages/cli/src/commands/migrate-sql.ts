import type { SqlDialect } from '../args.js';
import { importAdapter, type TargetNaming } from '../open-target.js';
import type { Output } from '../output.js';

/**
 * `migrate --sql --dialect <d>`: prints, without connecting anywhere, the complete script that
 * `migrate()` amounts to on an empty database (schema creation, ledger table, every step, its
 * ledger rows), for a DBA to review and apply with psql, mysql or sqlite3. The adapter then finds
 * the schema current. The SQL comes from the adapter package, which owns its ledger.
 */
export async function runMigrateSql(
  args: { readonly dialect: SqlDialect; readonly naming: TargetNaming },
  out: Output,
): Promise<void> {
  const sql = await scriptFor(args.dialect, args.naming);
  out.result({ dialect: args.dialect, sql });
  out.line(sql.trimEnd());
}

async function scriptFor(dialect: SqlDialect, naming: TargetNaming): Promise<string> {
  switch (dialect) {
    case 'postgres': {
      const { postgresMigrationScript } = await importAdapter<
        typeof import('@a2a-stores/postgres')
      >({ kind: 'postgres' });
      return postgresMigrationScript({ schema: naming.schema, tablePrefix: naming.tablePrefix });
    }
    case 'mysql': {
      const { mysqlMigrationScript } = await importAdapter<typeof import('@a2a-stores/mysql')>({
        kind: 'mysql',
      });
      return mysqlMigrationScript(naming.tablePrefix);
    }
    case 'sqlite': {
      const { sqliteMigrationScript } = await importAdapter<typeof import('@a2a-stores/sqlite')>({
        kind: 'sqlite',
      });
      return sqliteMigrationScript(naming.tablePrefix);
    }
  }
}
