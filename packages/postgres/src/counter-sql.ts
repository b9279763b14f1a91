import type { PostgresNames } from './options.js';

/**
 * The exact counters behind `totalSize` (see core's `taskCounterKeys`): a task counts in
 * `('', 0)` (its scope), `('', state)` when it has a state, and `(context_id, 0)` when it has a
 * context. These fragments keep that rule in SQL, so every write maintains the counters in the
 * same statement as the rows.
 */

/**
 * Rows each counter key is spread over. One row per key made every writer of a busy scope queue
 * on that row until the previous writer's commit flushed (issue #20: 67% of sampled backends
 * waited on `Lock:transactionid`, 0.44x the floor's throughput with 32 clients in one scope).
 * A transaction moves only its own shard's rows, so writers of one scope contend only when they
 * share a shard; a read sums at most this many rows of one index range. See {@link shardOfTransaction}.
 */
export const COUNTER_SHARDS = 16;

/**
 * The shard of the current transaction: its top-level transaction id (the same for every
 * statement and savepoint of one transaction) modulo {@link COUNTER_SHARDS}. Transactions that
 * run at the same time were mostly given consecutive ids, so they land on different shards
 * (a backend pid would keep two busy connections on one shard for good). Every statement of a
 * transaction uses one shard: within a shard the keys are locked in one global order with the
 * scope row first, so transactions still cannot deadlock one another over counters, and
 * transactions on different shards share no counter row at all. Every write already has a
 * transaction id, so asking for it costs nothing.
 */
export const SHARD_OF_TRANSACTION = `(txid_current() % ${COUNTER_SHARDS})::smallint`;

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
 * CTEs applying a `delta (tenant, owner, state, context_id, d)` CTE to the counters, on the
 * transaction's shard. Keys are upserted in one global order (scope, then key, scope row first),
 * so concurrent writers on one shard lock counter rows in the same order and cannot deadlock one
 * another. When any key of a scope changes, the shard's scope row is touched too (with +0 if
 * need be): it then acts as the lock of the scope's shard, which also keeps multi-statement
 * transactions over one scope from deadlocking (they stay on one shard throughout).
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
    INSERT INTO ${names.counts} AS c (tenant, owner, context_id, state, shard, n)
    SELECT g.tenant, g.owner, g.context_id, g.state, ${SHARD_OF_TRANSACTION}, g.n
    FROM changed AS g
    WHERE g.n <> 0 OR (g.scope_changed AND g.context_id = '' AND g.state = 0)
    ORDER BY g.tenant COLLATE "C", g.owner COLLATE "C", g.context_id COLLATE "C", g.state
    ON CONFLICT (tenant, owner, context_id, state, shard) DO UPDATE SET n = c.n + excluded.n
  )`;
}
