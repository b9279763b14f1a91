import type { PostgresNames } from './options.js';

/**
 * The exact counters behind `totalSize` (see core's `taskCounterKeys`): a task counts in
 * `('', 0)` (its scope), `('', state)` when it has a state, and `(context_id, 0)` when it has a
 * context. These fragments keep that rule in SQL, so every write maintains the counters in the
 * same statement as the rows.
 */

/** A LATERAL join expanding each row of `source` into the counter keys it counts in. */
export function counterKeysOf(source: string): string {
  return `CROSS JOIN LATERAL (VALUES
      (0, ''::text, 0::smallint),
      (1, ''::text, ${source}.state),
      (2, ${source}.context_id, 0::smallint)
    ) AS k(kind, context_id, state)
    WHERE k.kind = 0 OR (k.kind = 1 AND k.state <> 0) OR (k.kind = 2 AND k.context_id <> '')`;
}

/**
 * CTEs applying a `delta (tenant, owner, state, context_id, d)` CTE to the counters. Keys are
 * upserted in one global order (scope, then key, scope row first), so concurrent writers lock
 * counter rows in the same order and cannot deadlock one another. When any key of a scope
 * changes, the scope row is touched too (with +0 if need be): it then acts as the scope's lock,
 * which also keeps multi-statement transactions over one scope from deadlocking.
 */
export function applyCounterDeltas(names: PostgresNames): string {
  return `keyed AS (
    SELECT r.tenant, r.owner, k.context_id, k.state, sum(r.d)::bigint AS n
    FROM delta AS r
    ${counterKeysOf('r')}
    GROUP BY r.tenant, r.owner, k.context_id, k.state
  ),
  changed AS (
    SELECT keyed.*, bool_or(keyed.n <> 0) OVER (PARTITION BY keyed.tenant, keyed.owner) AS scope_changed
    FROM keyed
  ),
  counted AS (
    INSERT INTO ${names.counts} AS c (tenant, owner, context_id, state, n)
    SELECT g.tenant, g.owner, g.context_id, g.state, g.n
    FROM changed AS g
    WHERE g.n <> 0 OR (g.scope_changed AND g.context_id = '' AND g.state = 0)
    ORDER BY g.tenant COLLATE "C", g.owner COLLATE "C", g.context_id COLLATE "C", g.state
    ON CONFLICT (tenant, owner, context_id, state) DO UPDATE SET n = c.n + excluded.n
  )`;
}
