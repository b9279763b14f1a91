import type { BackendListQuery } from '../backend.js';

/** Column names a list query filters and orders on. */
export interface ListColumns {
  readonly contextId: string;
  readonly state: string;
  readonly sortKey: string;
  readonly id: string;
}

export const DEFAULT_LIST_COLUMNS: ListColumns = Object.freeze({
  contextId: 'context_id',
  state: 'state',
  sortKey: 'sort_key',
  id: 'id',
});

export interface ListPredicateOptions {
  /**
   * Write the keyset bound as a row comparison `(sort_key, id) < (?, ?)`, which PostgreSQL turns
   * into one index range. Without it the expanded form is used, which MySQL/MariaDB optimise.
   */
  readonly rowComparison: boolean;
  readonly columns?: ListColumns;
}

/** The SQL conditions of one list query, split so the total can ignore the cursor. */
export interface ListPredicates {
  /** Filter conditions (context, state, timestamp), to AND with the scope condition. */
  readonly filters: readonly string[];
  /** The keyset bound after the cursor, or undefined on the first page. */
  readonly cursor: string | undefined;
}

/**
 * Builds the filter and keyset conditions of a list query. `bind` receives each value in the
 * order it appears in the text and returns its placeholder (`$3` or `?`), so the same builder
 * serves both parameter styles. The id comparison relies on the id column's byte-wise collation,
 * which gives core's {@link compareIds} order.
 */
export function buildListPredicates(
  query: Pick<BackendListQuery, 'contextId' | 'state' | 'after' | 'cursor'>,
  bind: (value: string | number) => string,
  options: ListPredicateOptions,
): ListPredicates {
  const c = options.columns ?? DEFAULT_LIST_COLUMNS;
  const filters: string[] = [];
  if (query.contextId !== '') filters.push(`${c.contextId} = ${bind(query.contextId)}`);
  if (query.state !== 0) filters.push(`${c.state} = ${bind(query.state)}`);
  if (query.after !== null) filters.push(`${c.sortKey} > ${bind(query.after)}`);
  let cursor: string | undefined;
  if (query.cursor) {
    if (options.rowComparison) {
      cursor = `(${c.sortKey}, ${c.id}) < (${bind(query.cursor.sortKey)}, ${bind(query.cursor.id)})`;
    } else {
      const key = bind(query.cursor.sortKey);
      const keyAgain = bind(query.cursor.sortKey);
      cursor = `(${c.sortKey} < ${key} OR (${c.sortKey} = ${keyAgain} AND ${c.id} < ${bind(query.cursor.id)}))`;
    }
  }
  return { filters, cursor };
}
