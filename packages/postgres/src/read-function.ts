import { BY_KEY } from './by-key.js';
import type { PostgresNames } from './options.js';

/*
 * A load runs inside a plpgsql function, for the reason the writes do (write-functions.ts):
 * sent unnamed, the SELECT is parsed and planned on every call, and its planner weighs every
 * index of the tasks table. Measured with 32 concurrent loads of small tasks on a 2-core host:
 * 8,000 loads/s unnamed against 14,000 for the raw floor's one-index table; 9,600 through this
 * function called by a named statement (`functionCallStatement`). The function caches its plan
 * per connection, and `enable_seqscan = off` keeps that plan on the primary key whatever the
 * statistics said when it was made (issue #17, item 14). Its call is a named statement on live
 * connections, and PostgreSQL refuses to run a prepared statement whose result columns changed
 * ("cached plan must not change result type"): a later step that changes what this function
 * returns must create a function of another name, not replace this one.
 */

/**
 * The one statement inside `<prefix>get_task` ($1 tenant, $2 owner, $3 id, $4 with artifacts,
 * $5 and $6 the version and lineage the caller knows, or NULL): the row's small columns, whether
 * it still has the known version and lineage, and the body and artifacts unless it does (or
 * unless artifacts were not asked for), so those are never detoasted for nothing.
 */
export function getTaskSql(names: PostgresNames): string {
  const known = 'COALESCE(version = $5 AND lineage = $6, false)';
  return `SELECT id, version, sort_key, bytes, lineage, segment_count, xmin::text,
      ${known},
      CASE WHEN ${known} THEN NULL ELSE body END,
      CASE WHEN ${known} OR NOT $4 THEN NULL ELSE artifacts END
    FROM ${names.tasks} WHERE ${BY_KEY}`;
}

/** Migration 0010: `get` as a function returning at most one row of {@link getTaskSql}. */
export function createGetTaskFunction(names: PostgresNames): string {
  return `CREATE FUNCTION ${names.getTask}(text, text, text, boolean, bigint, text)
    RETURNS TABLE (id text, version bigint, sort_key bigint, bytes bigint, lineage text,
      segment_count integer, row_xmin text, unchanged boolean, body text, artifacts text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    AS $fn$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY ${getTaskSql(names)};
    END
    $fn$`;
}
