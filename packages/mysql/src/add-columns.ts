import { sqlStringLiteral } from '@a2a-stores/core';

/** A quoted table name without its backticks, as information_schema spells it. */
function bareName(quoted: string): string {
  return quoted.slice(1, -1).replaceAll('``', '`');
}

/**
 * The statements that run `alter` (an ALTER TABLE adding columns) only while `table` lacks
 * `column`, the first column it adds. MySQL 8 has no ADD COLUMN IF NOT EXISTS (MariaDB does):
 * the ALTER is prepared only when the column is missing, so a re-run after a crash before the
 * ledger row is harmless, on both servers and through the mysql client (mysqlMigrationScript).
 */
export function addColumnsIfMissing(table: string, column: string, alter: string): string[] {
  return [
    `SET @a2a_stores_step = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ${sqlStringLiteral(bareName(table))} AND column_name = ${sqlStringLiteral(column)}) = 0, ${sqlStringLiteral(alter)}, 'DO 0')`,
    'PREPARE a2a_stores_step FROM @a2a_stores_step',
    'EXECUTE a2a_stores_step',
    'DEALLOCATE PREPARE a2a_stores_step',
  ];
}
