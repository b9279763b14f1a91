import type { SqlMigration } from './migrations.js';

/** What an adapter puts in the script a DBA applies by hand instead of running `migrate()`. */
export interface MigrationScriptParts {
  /** Shown in the header comment, e.g. `'PostgreSQL, schema "public", prefix "a2a_"'`. */
  readonly target: string;
  /** Statements before the steps: schema creation, the ledger table. */
  readonly setup: readonly string[];
  /** Every step, in order. */
  readonly migrations: readonly SqlMigration[];
  /** The ledger row that records step `id` as applied. */
  readonly record: (id: string) => string;
  /** Transaction statements where DDL is transactional (PostgreSQL, SQLite); none for MySQL. */
  readonly transaction?: { readonly begin: string; readonly commit: string };
}

/** A SQL string literal (single quotes doubled): migration ids are plain ASCII anyway. */
export function sqlStringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The complete script that brings an empty database to the current schema: setup, every step's
 * statements, and a ledger row per step, so the adapter then finds the schema current exactly as
 * if its own `migrate()` had run. One statement per line group, each ending with `;` (bodies in
 * dollar quotes or single-statement triggers need no delimiter changes in psql, mysql, sqlite3).
 */
export function renderMigrationScript(parts: MigrationScriptParts): string {
  const lines = [
    `-- a2a-stores schema for ${parts.target}`,
    '-- Apply to a database without these tables; it records every step in the ledger.',
  ];
  if (parts.transaction) lines.push(`${parts.transaction.begin};`);
  for (const statement of parts.setup) lines.push(`${statement.trim()};`);
  for (const migration of parts.migrations) {
    lines.push(`-- migration ${migration.id}`);
    for (const statement of migration.statements) lines.push(`${statement.trim()};`);
    lines.push(`${parts.record(migration.id)};`);
  }
  if (parts.transaction) lines.push(`${parts.transaction.commit};`);
  return `${lines.join('\n')}\n`;
}
