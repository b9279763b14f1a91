/**
 * `(col, ...) IN ((?, ...), ...)` over `keys`, with the keys flattened as its parameters. For
 * batch deletes by key, run as text queries (not prepared: one prepared statement per batch
 * size would pile up against the server's max_prepared_stmt_count). Key columns are Buffers,
 * which mysql2 writes as X'..' literals whatever the sql_mode.
 */
export function keysIn<K extends readonly Buffer[]>(
  columns: readonly string[],
  keys: readonly K[],
): { sql: string; params: Buffer[] } {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return {
    sql: `(${columns.join(', ')}) IN (${keys.map(() => tuple).join(', ')})`,
    params: keys.flat(),
  };
}
