import {
  type BackendListQuery,
  buildListPredicates,
  counterKeyForList,
  quoteSqlIdentifier,
} from '@a2a-stores/core';

/** Names of the schema objects of one store, from a prefix validated by core's identifier rule. */
export interface SchemaNames {
  readonly tasks: string;
  /** Appended segments of tasks, and the base of tasks too big to keep in their row (seq 0). */
  readonly segments: string;
  readonly pushConfigs: string;
  /** Exact per-scope totals behind `list`'s `totalSize` (see core's `taskCounterKeys`). */
  readonly counts: string;
  readonly ledger: string;
  /** Execution leases of multi-worker coordination (see `createSqliteCoordination`). */
  readonly leases: string;
  /** Messages between workers, read by polling. */
  readonly messages: string;
  /** Unquoted, for sqlite_master lookups. */
  readonly ledgerName: string;
  /** Quotes `<prefix><suffix>` (index names). */
  readonly named: (suffix: string) => string;
}

export function schemaNames(prefix: string): SchemaNames {
  const named = (suffix: string) => quoteSqlIdentifier(prefix + suffix, '"');
  return {
    tasks: named('tasks'),
    segments: named('task_segments'),
    pushConfigs: named('push_configs'),
    counts: named('task_counts'),
    ledger: named('migrations'),
    leases: named('leases'),
    messages: named('messages'),
    ledgerName: `${prefix}migrations`,
    named,
  };
}

/**
 * The columns a read maps to a task row: the segment count and base flag come with the row, so
 * a task without segments is one query.
 */
const ROW_COLUMNS = 'id, version, sort_key, segment_count, base_in_segments, bytes, lineage, body';

/**
 * The columns of a page asked with a `historyLength`: the row's recent reach, then its recent
 * form instead of its body when that reach answers the length (the CASE reads `body` only in
 * the other rows), then artifacts when asked. `recent_reach` comes before the text so the caller
 * can tell which of the two it got (see `fromRawListedRecord`); a NULL reach compares as not
 * reaching, so rows without a recent form read their body as before.
 */
const LISTED_COLUMNS = `id, version, sort_key, segment_count, base_in_segments, bytes, lineage,
  recent_reach, CASE WHEN recent_reach >= ? THEN recent ELSE body END`;

/**
 * Every task statement with fixed text. Each is prepared once per connection and cached.
 * Parameters are positional (binding by name costs a property lookup per parameter on every
 * call); the key is always (tenant, owner, id). `upsert` takes tenant, owner, id, context_id,
 * state, sort_key, updated_at, body, artifacts, version, base_in_segments, bytes, lineage, recent,
 * recent_reach; a full write always leaves the task without appended segments, and replaces its
 * recent form (NULL when core sent none, so an older one never outlives the write).
 */
export function taskStatements(n: SchemaNames) {
  const key = 'tenant = ? AND owner = ? AND id = ?';
  return {
    get: `SELECT ${ROW_COLUMNS} FROM ${n.tasks} WHERE ${key}`,
    getWithArtifacts: `SELECT ${ROW_COLUMNS}, artifacts FROM ${n.tasks} WHERE ${key}`,
    getGuard: `SELECT version, state, context_id AS contextId, segment_count AS segmentCount,
      base_in_segments AS baseInSegments, lineage FROM ${n.tasks} WHERE ${key}`,
    upsert: `INSERT INTO ${n.tasks} (tenant, owner, id, context_id, state, sort_key, updated_at,
        body, artifacts, version, base_in_segments, bytes, lineage, recent, recent_reach,
        segment_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
      ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = excluded.context_id,
        state = excluded.state, sort_key = excluded.sort_key, updated_at = excluded.updated_at,
        body = excluded.body, artifacts = excluded.artifacts, version = excluded.version,
        base_in_segments = excluded.base_in_segments, bytes = excluded.bytes,
        lineage = excluded.lineage, recent = excluded.recent,
        recent_reach = excluded.recent_reach, segment_count = 0`,
    /**
     * The row half of an append that keeps the stored recent form: only small columns, so the
     * record it rewrites is the small row (a big task's base lives in the segments table).
     * Parameters: context_id, state, sort_key, updated_at, bytes, version, segment_count, then
     * the key.
     */
    appendRow: `UPDATE ${n.tasks} SET context_id = ?, state = ?, sort_key = ?, updated_at = ?,
      bytes = ?, version = ?, segment_count = ? WHERE ${key}`,
    /**
     * `appendRow` that also replaces the recent form (both NULL to drop it), in the same
     * statement: the row still holds at most the recent form's 4 KiB besides small columns.
     * Parameters: those of `appendRow` up to segment_count, then recent, recent_reach, the key.
     */
    appendRowWithRecent: `UPDATE ${n.tasks} SET context_id = ?, state = ?, sort_key = ?,
      updated_at = ?, bytes = ?, version = ?, segment_count = ?, recent = ?, recent_reach = ?
      WHERE ${key}`,
    delete: `DELETE FROM ${n.tasks} WHERE ${key}`,
    deleteConfigsOfTask: `DELETE FROM ${n.pushConfigs}
      WHERE tenant = ? AND owner = ? AND task_id = ?`,
  };
}

/**
 * One list or count statement and its values. The text depends only on which filters are
 * present, so it doubles as the statement cache key: one prepared statement per combination.
 */
export interface BuiltQuery {
  readonly sql: string;
  readonly values: readonly (string | number)[];
}

type ListFilters = Pick<BackendListQuery, 'contextId' | 'state' | 'after' | 'cursor'>;

function scopedPredicates(query: ListFilters, tenant: string, owner: string) {
  const values: (string | number)[] = [tenant, owner];
  const bind = (value: string | number) => {
    values.push(value);
    return '?';
  };
  const predicates = buildListPredicates(query, bind, { rowComparison: true });
  const where = ['tenant = ?', 'owner = ?', ...predicates.filters];
  if (predicates.cursor) where.push(predicates.cursor);
  return { where: where.join(' AND '), values };
}

/**
 * One page in (sort_key desc, id desc) order. BINARY collation compares UTF-8 bytes, which is
 * code point order, the order of core's `compareIds`. The keyset is a row value, which SQLite
 * turns into an index range, so the cost of a page does not grow with its depth. With a
 * `historyLength`, the columns are {@link LISTED_COLUMNS} and the length is the first value.
 */
export function listRowsQuery(
  n: SchemaNames,
  tenant: string,
  owner: string,
  query: BackendListQuery,
): BuiltQuery {
  const { where, values } = scopedPredicates(query, tenant, owner);
  const { historyLength } = query;
  const artifacts = query.includeArtifacts ? ', artifacts' : '';
  const columns = `${historyLength === undefined ? ROW_COLUMNS : LISTED_COLUMNS}${artifacts}`;
  const sql = `SELECT ${columns} FROM ${n.tasks} WHERE ${where} ORDER BY sort_key DESC, id DESC LIMIT ?`;
  return historyLength === undefined
    ? { sql, values: [...values, query.limit] }
    : { sql, values: [historyLength, ...values, query.limit] };
}

/** The exact total of a list query: the same filters, without the cursor. */
export function listCountQuery(
  n: SchemaNames,
  tenant: string,
  owner: string,
  query: BackendListQuery,
): BuiltQuery {
  const filters = { ...query, cursor: null };
  const { where, values } = scopedPredicates(filters, tenant, owner);
  return {
    sql: `SELECT COUNT(*) AS total FROM ${n.tasks} WHERE ${where}`,
    values,
  };
}

/**
 * The total of a list query: one counter row by primary key when core's `counterKeyForList`
 * names one (no filter, state only, context only), else the indexed COUNT of
 * {@link listCountQuery}. A missing counter row means no task.
 */
export function listTotalQuery(
  n: SchemaNames,
  tenant: string,
  owner: string,
  query: BackendListQuery,
): BuiltQuery {
  const counter = counterKeyForList(query);
  if (!counter) return listCountQuery(n, tenant, owner, query);
  return {
    sql: `SELECT COALESCE((SELECT n FROM ${n.counts}
      WHERE tenant = ? AND owner = ? AND context_id = ? AND state = ?), 0) AS total`,
    values: [tenant, owner, counter.contextId, counter.state],
  };
}

/**
 * Statements that move one counter, by its full key (tenant, owner, context_id, state) and then
 * the delta. `subtract` returns the new value, so the zero check needs no second statement.
 */
export function counterStatements(n: SchemaNames) {
  const upsert = `INSERT INTO ${n.counts} (tenant, owner, context_id, state, n) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (tenant, owner, context_id, state) DO UPDATE SET n = n + excluded.n`;
  return {
    add: upsert,
    subtract: `${upsert} RETURNING n`,
    dropIfZero: `DELETE FROM ${n.counts}
      WHERE tenant = ? AND owner = ? AND context_id = ? AND state = ? AND n = 0`,
  };
}

export function purgeSelectSql(n: SchemaNames, scoped: boolean): string {
  const scope = scoped ? ' AND tenant = @tenant AND owner = @owner' : '';
  return `SELECT tenant, owner, id, state, context_id AS contextId,
      segment_count AS segmentCount, base_in_segments AS baseInSegments FROM ${n.tasks}
    WHERE state IN (SELECT value FROM json_each(@states)) AND updated_at < @olderThan${scope}
    LIMIT @batchSize`;
}

export function pushStatements(n: SchemaNames) {
  const task = 'tenant = @tenant AND owner = @owner AND task_id = @taskId';
  return {
    /** How many configs the task has, and whether `@id` is one of them, in one read. */
    census: `SELECT COUNT(*) AS count, COALESCE(MAX(id = @id), 0) AS present
      FROM ${n.pushConfigs} WHERE ${task}`,
    /** Insert or replace; either way the config takes the next sequence number (goes last). */
    upsert: `INSERT INTO ${n.pushConfigs} (tenant, owner, task_id, id, seq, wire_version, json)
      VALUES (@tenant, @owner, @taskId, @id,
        (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${n.pushConfigs} WHERE ${task}),
        @wireVersion, @json)
      ON CONFLICT (tenant, owner, task_id, id) DO UPDATE SET
        seq = excluded.seq, wire_version = excluded.wire_version, json = excluded.json`,
    list: `SELECT id, json, wire_version AS wireVersion FROM ${n.pushConfigs}
      WHERE ${task} ORDER BY seq`,
    delete: `DELETE FROM ${n.pushConfigs} WHERE ${task} AND id = @id`,
    deleteAll: `DELETE FROM ${n.pushConfigs} WHERE ${task}`,
  };
}
