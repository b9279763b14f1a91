import { TERMINAL_STATES } from '@a2a-stores/core';
import { BY_KEY } from './by-key.js';
import { applyCounterDeltas } from './counter-sql.js';
import type { PostgresNames } from './options.js';

/**
 * Segments (core's `TaskBackend.append`): a save that only appends is stored as one more row of
 * `<prefix>task_segments`, keyed (tenant, owner, task_id, seq), while the task row keeps the
 * base written by the last full `put` plus `segment_count`. Segment `seq` runs 1..segment_count;
 * readers only ever take `seq <= segment_count`. A full write that raced an append can leave a
 * segment row its snapshot did not see, past the count it reset: such a row is invisible to
 * readers, and the append that reaches its seq overwrites it (ON CONFLICT below), so the rows a
 * reader takes are always the ones appended since the last full write.
 */

/**
 * The whole `append` in one statement, one round trip, atomic:
 * - `old` locks the stored row (FOR UPDATE re-reads the latest committed version);
 * - `up` updates only the row's small columns when the version and lineage match (a task
 *   deleted and created again restarts at version 1; its lineage differs) and the terminal guard
 *   allows, and never names `body` or `artifacts`: PostgreSQL then copies their TOAST pointers
 *   as they are, so the cost is the segment's, not the task's. It also replaces the recent form
 *   (`recent`, `recent_reach`) with $13 and $14 when $15 is true (NULLs drop it) and keeps it
 *   when false, so a list never reads a recent form of another version than the row's;
 * - `seg` stores the segment after the existing ones;
 * - the counters move from the old row's keys to the new ones, as in `put`;
 * - the result says written (the new version), else whether the row matched (version and
 *   lineage; false or NULL: a conflict) and its state (for a stale outcome).
 * Parameters: $1 tenant, $2 owner, $3 id, $4 context, $5 state, $6 sort key, $7 now, $8 bytes,
 * $9 segment body, $10 segment artifacts, $11 expected version, $12 lineage, $13 recent text,
 * $14 recent reach, $15 whether to store those two. `recent` false: the text of migration 0008,
 * written before the recent columns existed (kept as it was, see `putSql`).
 */
export function appendSql(names: PostgresNames, recent = true): string {
  const stale = `(o.state IN (${TERMINAL_STATES.join(', ')}) AND o.state <> $5::smallint)`;
  return `WITH old AS MATERIALIZED (
    SELECT state, context_id, version, lineage FROM ${names.tasks}
    WHERE ${BY_KEY}
    FOR UPDATE
  ),
  up AS (
    UPDATE ${names.tasks} AS t SET
      context_id = $4::text, state = $5::smallint, sort_key = $6::bigint,
      updated_at = $7::bigint, bytes = $8::bigint,
      version = t.version + 1, segment_count = t.segment_count + 1${
        recent
          ? `,
      recent = CASE WHEN $15::boolean THEN $13::text ELSE t.recent END,
      recent_reach = CASE WHEN $15::boolean THEN $14::integer ELSE t.recent_reach END`
          : ''
      }
    FROM old AS o
    WHERE t.tenant = $1 AND t.owner = $2 AND t.id = $3 AND t.sort_key IS NOT NULL
      AND o.version = $11::bigint AND o.lineage = $12::text AND NOT ${stale}
    RETURNING t.version, t.state, t.context_id, t.segment_count
  ),
  seg AS (
    INSERT INTO ${names.segments} AS s (tenant, owner, task_id, seq, body, artifacts)
    SELECT $1::text, $2::text, $3::text, u.segment_count, $9::text, $10::text FROM up AS u
    ON CONFLICT (tenant, owner, task_id, seq) DO UPDATE SET
      body = excluded.body, artifacts = excluded.artifacts
  ),
  delta AS (
    SELECT $1::text AS tenant, $2::text AS owner, u.state, u.context_id, 1 AS d FROM up AS u
    UNION ALL
    SELECT $1::text, $2::text, o.state, o.context_id, -1 FROM old AS o WHERE EXISTS (SELECT 1 FROM up)
  ),
  ${applyCounterDeltas(names)}
  SELECT (SELECT version FROM up)::bigint AS written_version,
    (SELECT o.version = $11::bigint AND o.lineage = $12::text FROM old AS o)::boolean AS matched,
    (SELECT state FROM old)::smallint AS stored_state`;
}

/**
 * The segments of task rows read by an earlier statement (a `get`, or a `list` page), for all of
 * them at once, with the row as it is now. Each input row comes with the `xmin` and version it
 * was read at: when both still match, the row is unchanged and `body` / `artifacts` come back
 * NULL (the caller already has them; they are not read again); when not, the row was rewritten
 * in between and its current base comes back with its current segments, so what the caller
 * assembles is always one version of the task. A row deleted in between is absent.
 * Parameters: $1 tenant, $2 owner, $3 ids, $4 xmins, $5 versions (arrays of one length).
 *
 * `forHistory` (with artifacts only): for a page listed with `historyLength` $6. A row whose
 * recent form reaches it (as the list function decides) needs only its segments' artifacts: the recent
 * form already holds the messages they added. Its `body` and segment bodies are then never read
 * (NULL), and `recent` is returned instead when the row changed in between.
 */
export function rowSegmentsSql(
  names: PostgresNames,
  withArtifacts: boolean,
  forHistory = false,
): string {
  const unchanged = 't.xmin = r.row_xmin AND t.version = r.version';
  const reaches = forHistory ? recentReachesSql('t.', '$6') : 'false';
  const artifacts = withArtifacts
    ? `,
      CASE WHEN ${unchanged} THEN NULL ELSE t.artifacts END AS artifacts,
      g.artifacts AS segment_artifacts`
    : '';
  const body = forHistory
    ? `CASE WHEN ${unchanged} OR ${reaches} THEN NULL ELSE t.body END AS body,
      CASE WHEN ${reaches} AND NOT (${unchanged}) THEN t.recent END AS recent`
    : `CASE WHEN ${unchanged} THEN NULL ELSE t.body END AS body`;
  const bodies = forHistory
    ? `json_agg(CASE WHEN ${reaches} THEN NULL ELSE s.body END ORDER BY s.seq)`
    : 'json_agg(s.body ORDER BY s.seq)';
  // json_agg, not array_agg: node-postgres parses a text[] literal in JavaScript character by
  // character (77 ms for a 1 MB stream's segments), a json value with the native JSON.parse.
  const aggregates = withArtifacts
    ? `${bodies} AS bodies, json_agg(s.artifacts ORDER BY s.seq) AS artifacts`
    : `${bodies} AS bodies`;
  return `SELECT t.id, t.version, t.sort_key, t.bytes, t.lineage, t.segment_count,
      (${unchanged}) AS unchanged,
      ${body},
      g.bodies AS segment_bodies${artifacts}
    FROM unnest($3::text[], $4::xid[], $5::bigint[]) AS r(id, row_xmin, version)
    JOIN ${names.tasks} AS t
      ON t.tenant = $1 AND t.owner = $2 AND t.id = r.id AND t.sort_key IS NOT NULL
    LEFT JOIN LATERAL (
      SELECT ${aggregates}
      FROM ${names.segments} AS s
      WHERE s.tenant = t.tenant AND s.owner = t.owner AND s.task_id = t.id
        AND s.seq <= t.segment_count
    ) AS g ON true`;
}

/**
 * Whether a row's stored recent form answers `historyLength` (the parameter `param`): its reach
 * is at least that. NULL reach (no recent form) is false.
 */
export function recentReachesSql(alias: string, param: string): string {
  return `COALESCE(${alias}recent_reach >= ${param}::integer, false)`;
}
