import type { PostgresNames } from './options.js';
import { appendSql } from './segment-sql.js';
import { putSql } from './task-sql.js';

/*
 * A task's full write and its append run inside plpgsql functions rather than as statements
 * sent by the driver. Sent unnamed, their CTEs cost the server about 1 ms of parsing and
 * planning per call (measured: a put inside one transaction, 1.01 ms unnamed against 0.23 ms
 * with a cached plan), which capped a busy agent's writes at the server's CPU. A plpgsql
 * function parses its statements once per connection and caches their plans, with nothing
 * named on the connection (so transaction poolers are no concern). A cached plan made while a
 * table was empty and analysed would scan the whole table once it grew (issue #17, item 14):
 * every lookup here is an equality on a full primary key, and `enable_seqscan = off`, set for
 * these functions only, keeps every plan on those keys whatever the statistics say
 * (plan-stability.test.ts counts the scans). These texts are part of migration 0008: a change
 * to the statements needs a migration that replaces the functions.
 */

/** The settings every write function runs with. */
const FUNCTION_SETTINGS = `LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off`;

/**
 * `put` as a function: $1..$11 as `putSql`, $12 the expected version (mode 2 only), $13 the mode
 * (0 any, 1 absent, 2 version; see PUT_MODE_CODES). Returns `putSql`'s one row.
 */
export function createPutTaskFunction(names: PostgresNames): string {
  return `CREATE FUNCTION ${names.putTask}(
      text, text, text, text, smallint, bigint, bigint, text, text, bigint, text, bigint, smallint
    ) RETURNS TABLE (written_version bigint, stored_state smallint, stored_version bigint)
    ${FUNCTION_SETTINGS}
    AS $fn$
    #variable_conflict use_column
    BEGIN
      IF $13 = 0 THEN
        RETURN QUERY ${putSql(names, 'any')};
      ELSIF $13 = 1 THEN
        RETURN QUERY ${putSql(names, 'absent')};
      ELSE
        RETURN QUERY ${putSql(names, 'version')};
      END IF;
    END
    $fn$`;
}

/** `append` as a function: the parameters and the one row of `appendSql`. */
export function createAppendTaskFunction(names: PostgresNames): string {
  return `CREATE FUNCTION ${names.appendTask}(
      text, text, text, text, smallint, bigint, bigint, bigint, text, text, bigint, text
    ) RETURNS TABLE (written_version bigint, matched boolean, stored_state smallint)
    ${FUNCTION_SETTINGS}
    AS $fn$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY ${appendSql(names)};
    END
    $fn$`;
}
