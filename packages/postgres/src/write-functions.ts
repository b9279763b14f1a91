import type { PostgresNames } from './options.js';
import { appendSql } from './segment-sql.js';
import { putSql } from './task-sql.js';

/*
 * A task's full write and its append run inside plpgsql functions rather than as statements
 * sent by the driver. Sent unnamed, their CTEs cost the server about 1 ms of parsing and
 * planning per call (measured: a put inside one transaction, 1.01 ms unnamed against 0.23 ms
 * with a cached plan), which capped a busy agent's writes at the server's CPU. A plpgsql
 * function parses its statements once per connection and caches their plans; its call is a
 * named statement only on the stores' own pool (`functionCallStatement`), sent unnamed behind a
 * transaction pooler and on a caller's client. A cached plan made while a
 * table was empty and analysed would scan the whole table once it grew (issue #17, item 14):
 * every lookup here is an equality on a full primary key, and `enable_seqscan = off`, set for
 * these functions only, keeps every plan on those keys whatever the statistics say
 * (plan-stability.test.ts counts the scans). These texts are part of migrations: a change to
 * the statements needs a migration that replaces the functions (as 0009 did, for the recent
 * form's columns), and the texts an applied step ran never change.
 */

/** The settings every write function runs with. */
const FUNCTION_SETTINGS = `LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  SET enable_seqscan = off`;

/** The argument types of migration 0008's functions, before the recent form's three. */
const PUT_ARGS_0008 =
  'text, text, text, text, smallint, bigint, bigint, text, text, bigint, text, bigint, smallint';
const APPEND_ARGS_0008 =
  'text, text, text, text, smallint, bigint, bigint, bigint, text, text, bigint, text';

/**
 * `put` as a function: $1..$11 as `putSql`, $12 the expected version (mode 2 only), $13 the mode
 * (0 any, 1 absent, 2 version; see PUT_MODE_CODES), $14 and $15 the recent form's text and
 * reach. Returns `putSql`'s one row. `recent` false: migration 0008's function, without $14 and
 * $15.
 */
export function createPutTaskFunction(names: PostgresNames, recent = true): string {
  const args = recent ? `${PUT_ARGS_0008}, text, integer` : PUT_ARGS_0008;
  return `CREATE FUNCTION ${names.putTask}(
      ${args}
    ) RETURNS TABLE (written_version bigint, stored_state smallint, stored_version bigint)
    ${FUNCTION_SETTINGS}
    AS $fn$
    #variable_conflict use_column
    BEGIN
      IF $13 = 0 THEN
        RETURN QUERY ${putSql(names, 'any', recent)};
      ELSIF $13 = 1 THEN
        RETURN QUERY ${putSql(names, 'absent', recent)};
      ELSE
        RETURN QUERY ${putSql(names, 'version', recent)};
      END IF;
    END
    $fn$`;
}

/**
 * `append` as a function: the parameters and the one row of `appendSql`. `recent` false:
 * migration 0008's function, without $13..$15.
 */
export function createAppendTaskFunction(names: PostgresNames, recent = true): string {
  const args = recent ? `${APPEND_ARGS_0008}, text, integer, boolean` : APPEND_ARGS_0008;
  return `CREATE FUNCTION ${names.appendTask}(
      ${args}
    ) RETURNS TABLE (written_version bigint, matched boolean, stored_state smallint)
    ${FUNCTION_SETTINGS}
    AS $fn$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY ${appendSql(names, recent)};
    END
    $fn$`;
}

/**
 * Migration 0009's replacement of 0008's functions by the ones that also write the recent form.
 * The old ones are dropped first: a function with other argument types is an overload beside
 * them, not a replacement, and an old writer still calling them would store no recent form and
 * leave a stale one listed in place of the task it rewrote.
 */
export function replaceWriteFunctionsForRecent(names: PostgresNames): string[] {
  return [
    `DROP FUNCTION ${names.putTask}(${PUT_ARGS_0008})`,
    `DROP FUNCTION ${names.appendTask}(${APPEND_ARGS_0008})`,
    createPutTaskFunction(names),
    createAppendTaskFunction(names),
  ];
}
