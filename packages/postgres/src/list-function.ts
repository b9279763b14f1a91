import type { BackendListQuery, Scope } from '@a2a-stores/core';
import type { PostgresNames } from './options.js';
import { recentReachesSql } from './segment-sql.js';

/*
 * A list page runs inside a plpgsql function, for the reason loads and writes do
 * (read-function.ts, write-functions.ts): its statements are planned once per connection and
 * cached, under settings that keep every cached plan on an index whatever the statistics said
 * when it was made. Sent as a named statement of its own, the page's cached generic plan was
 * made from the table as it was at the connection's sixth list: on a table analysed (or
 * vacuumed) while small and not since, a sequential scan of the whole table and a sort, kept
 * however big the table grew. Here `enable_seqscan = off` rules the scan out and
 * `enable_sort = off` rules out sorting a scope for a page (the plan a never-analysed table's
 * estimates favour, 140 ms at 100k tasks): the page walks the index whose order is the page's.
 *
 * To keep the statements static (a plan cached per statement), the optional bounds take
 * neutral values instead of dropping out: sort keys are safe integers, so no stored key is the
 * smallest bigint (no `after` bound) or the largest (page one). Each of the four combinations
 * of the context and state filters has its own statement. The function is STABLE: the total
 * and the page read one snapshot.
 *
 * A filtered page names its index through its ORDER BY: the filter's column first, then the
 * sort key and id. Only the index of that filter delivers that order, so any other plan needs
 * the sort `enable_sort = off` rules out. With the filter as an equality, the planner drops
 * the column from the order (it is constant), and on estimates of a row or two (a table never
 * analysed) or where the filter looked unselective (a table analysed while one context held
 * every task), it walked the scope's time index and filtered: a page of one context among 100
 * in a 10k-task scope read the whole scope, 3.8 ms against 1 ms (issue #20's benchmark). So
 * the filter is written as the range `>= v AND <= v` (the same rows, not a constant to the
 * planner), whose index conditions still start the scan at the page's cursor.
 *
 * Its call is a named statement on live connections, so a later step that changes what it
 * returns must create a function of another name (see read-function.ts).
 */

/** The largest bigint: a cursor of page one, before every stored sort key. */
const NO_CURSOR_SORT_KEY = '9223372036854775807';
/** The smallest bigint: no `after` bound, below every stored sort key. */
const NO_AFTER = '-9223372036854775808';

/** The planner settings the function's statements are planned and run under. */
export const LIST_FUNCTION_SETTINGS = ['enable_seqscan = off', 'enable_sort = off'] as const;

/** The function's parameters, in order, with their SQL types. */
export const LIST_PARAMETERS = [
  ['tenant', 'text'],
  ['owner', 'text'],
  /** '' for any context. */
  ['context', 'text'],
  /** 0 for any state. */
  ['state', 'smallint'],
  /** Only tasks with a greater sort key; NULL for no bound. */
  ['after', 'bigint'],
  /** The page starts strictly after (sort key, id); NULL for page one. */
  ['cursor_key', 'bigint'],
  ['cursor_id', 'text'],
  ['page_limit', 'integer'],
  /** The list's historyLength; NULL: every row returns its body. */
  ['history', 'integer'],
  ['with_artifacts', 'boolean'],
] as const;

/** Which of the equality filters a statement has. */
export interface FilterShape {
  readonly context: boolean;
  readonly state: boolean;
}

export const LIST_FILTER_SHAPES: readonly FilterShape[] = [
  { context: false, state: false },
  { context: true, state: false },
  { context: false, state: true },
  { context: true, state: true },
];

function filtersSql(shape: FilterShape): string {
  const where = ['tenant = $1', 'owner = $2'];
  if (shape.context) where.push('context_id >= $3 AND context_id <= $3');
  if (shape.state) where.push('state >= $4 AND state <= $4');
  where.push(`sort_key > COALESCE($5, ${NO_AFTER})`);
  return where.join(' AND ');
}

/**
 * The page's order, led by the column of the index the page must walk (see the note at the
 * top): a context's own when the page filters by context (a context is one conversation: few
 * tasks next to a state's), else the state's, else the time index.
 */
function orderSql(shape: FilterShape): string {
  const lead = shape.context ? 'context_id, ' : shape.state ? 'state, ' : '';
  return `${lead}sort_key DESC, id DESC`;
}

/** The page of one filter shape: the listed rows' columns, in (sort key, id) descending order. */
export function listPageSql(names: PostgresNames, shape: FilterShape): string {
  const reaches = recentReachesSql('', '$9');
  return `SELECT id, CASE WHEN ${reaches} THEN NULL ELSE body END, version, sort_key, bytes,
      lineage, segment_count, xmin::text, CASE WHEN ${reaches} THEN recent END,
      CASE WHEN $10 THEN artifacts END
    FROM ${names.tasks}
    WHERE ${filtersSql(shape)}
      AND (sort_key, id) < (COALESCE($6, ${NO_CURSOR_SORT_KEY}), COALESCE($7, ''))
    ORDER BY ${orderSql(shape)}
    LIMIT $8`;
}

/** The exact total from the counter shards: no `after` bound, and at most one filter. */
export function listCounterTotalSql(names: PostgresNames): string {
  return `SELECT COALESCE(sum(n), 0)::bigint FROM ${names.counts}
    WHERE tenant = $1 AND owner = $2 AND context_id = $3 AND state = $4`;
}

/** The exact total counted on the index of the shape's filters (with the `after` bound). */
export function listCountTotalSql(names: PostgresNames, shape: FilterShape): string {
  return `SELECT count(*) FROM ${names.tasks} WHERE ${filtersSql(shape)}`;
}

/** The branches of a filter shape's page, as the function's IF/ELSIF chain. */
function byShape(statement: (shape: FilterShape) => string): string {
  return LIST_FILTER_SHAPES.map((shape, i) => {
    const test = `$3 ${shape.context ? '<>' : '='} '' AND $4 ${shape.state ? '<>' : '='} 0`;
    return `${i === 0 ? 'IF' : 'ELSIF'} ${test} THEN
        ${statement(shape)};`;
  }).join('\n      ');
}

/**
 * `list` as a function (migration 0011 creates it; 0012 replaces its body with the ordered
 * filters above, same arguments and result). Returns the page's rows, each with the total, or
 * one row with the total and NULL columns when the page is empty.
 */
export function createListTasksFunction(names: PostgresNames, replace = false): string {
  const args = LIST_PARAMETERS.map(([, type]) => type).join(', ');
  return `CREATE ${replace ? 'OR REPLACE ' : ''}FUNCTION ${names.listTasks}(${args})
    RETURNS TABLE (total bigint, id text, body text, version bigint, sort_key bigint,
      bytes bigint, lineage text, segment_count integer, row_xmin text, recent text,
      artifacts text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    ${LIST_FUNCTION_SETTINGS.map((setting) => `SET ${setting}`).join('\n    ')}
    AS $fn$
    #variable_conflict use_column
    DECLARE
      counted bigint;
    BEGIN
      IF $5 IS NULL AND ($3 = '' OR $4 = 0) THEN
        ${listCounterTotalSql(names)} INTO counted;
      ELSE
      ${byShape((shape) => `${listCountTotalSql(names, shape)} INTO counted`)}
      END IF;
      END IF;
      ${byShape((shape) => `RETURN QUERY SELECT counted, p.* FROM (${listPageSql(names, shape)}) AS p`)}
      END IF;
      IF NOT FOUND THEN
        RETURN QUERY SELECT counted, NULL::text, NULL::text, NULL::bigint, NULL::bigint,
          NULL::bigint, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::text;
      END IF;
    END
    $fn$`;
}

/** The call of the list function (see `listTasksValues`). */
export function listTasksCallSql(names: PostgresNames): string {
  const args = LIST_PARAMETERS.map(([, type], i) => `$${i + 1}::${type}`).join(', ');
  return `SELECT * FROM ${names.listTasks}(${args})`;
}

/** The list function's arguments for a page of `query` in `scope`. */
export function listTasksValues(scope: Scope, query: BackendListQuery): unknown[] {
  return [
    scope.tenant,
    scope.owner,
    query.contextId,
    query.state,
    query.after,
    query.cursor?.sortKey ?? null,
    query.cursor?.id ?? null,
    query.limit,
    query.historyLength ?? null,
    query.includeArtifacts,
  ];
}
