import { TERMINAL_STATES } from '@a2a-stores/core';
import { BY_KEY } from './by-key.js';
import { applyCounterDeltas } from './counter-sql.js';
import { functionCallStatement, type Statement, statement } from './executor.js';
import { listTasksCallSql } from './list-function.js';
import type { PostgresNames } from './options.js';
import { rowSegmentsSql } from './segment-sql.js';

/** How `put` conditions the write (see core's `ExpectedVersion`). */
export type PutMode = 'any' | 'absent' | 'version';

/** The fixed statements of the task backend, built once per store bundle. */
export interface TaskStatements {
  /**
   * The get function (see read-function.ts): $1..$3 the key, $4 with artifacts, $5 and $6 the
   * known version and lineage (or NULL).
   */
  readonly get: Statement;
  /**
   * The put function (see write-functions.ts): $1..$11 as `putSql`, $12 expected, $13 mode,
   * $14 recent text, $15 recent reach.
   */
  readonly put: Statement;
  /** The append function: the parameters of `appendSql`. */
  readonly append: Statement;
  /** The list function (see list-function.ts): the values of `listTasksValues`. */
  readonly list: Statement;
  /** The segments of rows read earlier (see `rowSegmentsSql`), without and with artifacts. */
  readonly rowSegments: Statement;
  readonly rowSegmentsWithArtifacts: Statement;
  /** Those of a page listed with `historyLength` ($6) and artifacts. */
  readonly rowSegmentsForHistory: Statement;
  readonly delete: Statement;
  readonly purge: Statement;
  readonly purgeInScope: Statement;
  readonly dropZeroCounters: Statement;
  readonly dropZeroCountersInScope: Statement;
}

/**
 * The whole `put` in one statement, so it is one round trip and atomic:
 * - `old` locks the stored row (FOR UPDATE re-reads the latest committed version);
 * - `up` writes only when the version condition and the terminal guard allow it. Its source row
 *   carries version 1 when nothing was stored (a real insert) or the marker -1 when a row exists
 *   (the insert always conflicts on the locked row and takes DO UPDATE; -1 is never stored).
 *   If a concurrent insert won the key after `old` looked, the marker is 1, DO UPDATE refuses,
 *   and the caller sees "not written, nothing stored" and retries with the row now visible;
 * - `dropped` deletes the task's appended segments when the locked row says it has any (a
 *   one-time filter: a task that has none costs no lookup in the segments table);
 * - the counters move from the old row's keys to the new row's keys;
 * - the result tells written / conflict / stale apart with the stored state and version.
 * Parameters: $1 tenant, $2 owner, $3 id, $4 context, $5 state, $6 sort key, $7 now, $8 body,
 * $9 artifacts, $10 bytes, $11 lineage, $12 expected version (mode 'version' only), $14 recent
 * text, $15 recent reach (both NULL: the task has no recent form, and an older one is dropped).
 * `recent` false: the text of migration 0008, written before the recent columns existed (that
 * step's statements never change, so its text is kept as it was).
 */
export function putSql(names: PostgresNames, mode: PutMode, recent = true): string {
  const stale = `(o.state IN (${TERMINAL_STATES.join(', ')}) AND o.state <> $5::smallint)`;
  const allowed =
    mode === 'any'
      ? `o.version IS NULL OR NOT ${stale}`
      : mode === 'absent'
        ? 'o.version IS NULL'
        : `o.version = $12::bigint AND NOT ${stale}`;
  return `WITH old AS MATERIALIZED (
    SELECT state, context_id, version, segment_count FROM ${names.tasks}
    WHERE ${BY_KEY}
    FOR UPDATE
  ),
  up AS (
    INSERT INTO ${names.tasks} AS t
      (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts,
       bytes, lineage, segment_count${recent ? ', recent, recent_reach' : ''})
    SELECT $1::text, $2::text, $3::text, $4::text, $5::smallint, $6::bigint,
      CASE WHEN o.version IS NULL THEN 1 ELSE -1 END, $7::bigint, $8::text, $9::text,
      $10::bigint, $11::text, 0${recent ? ', $14::text, $15::integer' : ''}
    FROM (SELECT 1) AS one LEFT JOIN old AS o ON true
    WHERE ${allowed}
    ON CONFLICT (tenant, owner, id) DO UPDATE SET
      context_id = excluded.context_id, state = excluded.state, sort_key = excluded.sort_key,
      version = t.version + 1, updated_at = excluded.updated_at,
      body = excluded.body, artifacts = excluded.artifacts,
      bytes = excluded.bytes, lineage = excluded.lineage, segment_count = 0${
        recent ? ', recent = excluded.recent, recent_reach = excluded.recent_reach' : ''
      }
    WHERE excluded.version = -1
    RETURNING t.version, t.state, t.context_id
  ),
  dropped AS (
    DELETE FROM ${names.segments}
    WHERE tenant = $1 AND owner = $2 AND task_id = $3
      AND (SELECT segment_count FROM old) > 0 AND EXISTS (SELECT 1 FROM up)
  ),
  delta AS (
    SELECT $1::text AS tenant, $2::text AS owner, u.state, u.context_id, 1 AS d FROM up AS u
    UNION ALL
    SELECT $1::text, $2::text, o.state, o.context_id, -1 FROM old AS o WHERE EXISTS (SELECT 1 FROM up)
  ),
  ${applyCounterDeltas(names)}
  SELECT (SELECT version FROM up)::bigint AS written_version,
    (SELECT state FROM old)::smallint AS stored_state,
    (SELECT version FROM old)::bigint AS stored_version`;
}

/** `put`'s mode as the put function takes it (see write-functions.ts). */
export const PUT_MODE_CODES: Readonly<Record<PutMode, number>> = { any: 0, absent: 1, version: 2 };

/**
 * Deletes a task, its segments, its push configs and its counts in one statement. The segments
 * go by key whatever the row said, so none outlives the task. $1 tenant, $2 owner, $3 id.
 */
function deleteSql(names: PostgresNames): string {
  return `WITH del AS (
    DELETE FROM ${names.tasks} WHERE ${BY_KEY}
    RETURNING tenant, owner, state, context_id
  ),
  segments AS (
    DELETE FROM ${names.segments} WHERE tenant = $1 AND owner = $2 AND task_id = $3
  ),
  configs AS (
    DELETE FROM ${names.pushConfigs} WHERE tenant = $1 AND owner = $2 AND task_id = $3
  ),
  delta AS (SELECT tenant, owner, state, context_id, -1 AS d FROM del),
  ${applyCounterDeltas(names)}
  SELECT count(*)::int AS deleted FROM del`;
}

/**
 * One purge batch: up to $3 tasks last written before $1 in states $2 (and scope $4/$5), with
 * their segments, push configs and counts. The DELETE re-checks the condition, so a task rewritten while
 * the batch ran is kept. `picked` short of $3 means no candidate is left.
 */
function purgeSql(names: PostgresNames, inScope: boolean): string {
  const scope = inScope ? ' AND tenant = $4 AND owner = $5' : '';
  return `WITH victims AS (
    SELECT tenant, owner, id FROM ${names.tasks}
    WHERE updated_at < $1::bigint AND state = ANY ($2::smallint[])${scope}
    LIMIT $3
  ),
  del AS (
    DELETE FROM ${names.tasks} AS t USING victims AS v
    WHERE t.tenant = v.tenant AND t.owner = v.owner AND t.id = v.id
      AND t.updated_at < $1::bigint AND t.state = ANY ($2::smallint[])
    RETURNING t.tenant, t.owner, t.id, t.state, t.context_id, t.segment_count
  ),
  segments AS (
    DELETE FROM ${names.segments} AS s USING del AS d
    WHERE d.segment_count > 0
      AND s.tenant = d.tenant AND s.owner = d.owner AND s.task_id = d.id
  ),
  configs AS (
    DELETE FROM ${names.pushConfigs} AS p USING del AS d
    WHERE p.tenant = d.tenant AND p.owner = d.owner AND p.task_id = d.id
  ),
  delta AS (SELECT tenant, owner, state, context_id, -1 AS d FROM del),
  ${applyCounterDeltas(names)}
  SELECT (SELECT count(*) FROM victims)::int AS picked, count(*)::int AS deleted FROM del`;
}

/**
 * Removes up to $1 counters that dropped to zero (e.g. contexts whose tasks were purged). A
 * counter a writer revives meanwhile fails the re-checked `n = 0` and stays.
 */
function dropZeroCountersSql(names: PostgresNames, inScope: boolean): string {
  const scope = inScope ? ' AND tenant = $2 AND owner = $3' : '';
  return `WITH dropped AS (
    DELETE FROM ${names.counts}
    WHERE n = 0 AND ctid = ANY (ARRAY(SELECT ctid FROM ${names.counts} WHERE n = 0${scope} LIMIT $1))
    RETURNING 1
  )
  SELECT count(*)::int AS deleted FROM dropped`;
}

export function taskStatements(names: PostgresNames): TaskStatements {
  return {
    get: functionCallStatement(
      `SELECT * FROM ${names.getTask}($1::text, $2::text, $3::text, $4::boolean, $5::bigint,
        $6::text)`,
    ),
    put: functionCallStatement(
      `SELECT * FROM ${names.putTask}($1::text, $2::text, $3::text, $4::text, $5::smallint,
        $6::bigint, $7::bigint, $8::text, $9::text, $10::bigint, $11::text, $12::bigint,
        $13::smallint, $14::text, $15::integer)`,
    ),
    append: functionCallStatement(
      `SELECT * FROM ${names.appendTask}($1::text, $2::text, $3::text, $4::text, $5::smallint,
        $6::bigint, $7::bigint, $8::bigint, $9::text, $10::text, $11::bigint, $12::text,
        $13::text, $14::integer, $15::boolean)`,
    ),
    list: functionCallStatement(listTasksCallSql(names)),
    rowSegments: statement(rowSegmentsSql(names, false)),
    rowSegmentsWithArtifacts: statement(rowSegmentsSql(names, true)),
    rowSegmentsForHistory: statement(rowSegmentsSql(names, true, true)),
    delete: statement(deleteSql(names)),
    purge: statement(purgeSql(names, false)),
    purgeInScope: statement(purgeSql(names, true)),
    dropZeroCounters: statement(dropZeroCountersSql(names, false)),
    dropZeroCountersInScope: statement(dropZeroCountersSql(names, true)),
  };
}
