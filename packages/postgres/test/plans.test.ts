import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePostgresNames } from '../src/index.js';
import {
  type FilterShape,
  LIST_FILTER_SHAPES,
  LIST_FUNCTION_SETTINGS,
  LIST_PARAMETERS,
  listCounterTotalSql,
  listCountTotalSql,
  listPageSql,
} from '../src/list-function.js';
import { getTaskSql } from '../src/read-function.js';
import { appendSql } from '../src/segment-sql.js';
import { putSql, taskStatements } from '../src/task-sql.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

/** The settings of the functions that run full writes, appends and loads. */
const WRITE_FUNCTION_SETTINGS = ['enable_seqscan = off'];

/** Enough tasks in one scope that scanning the scope instead of probing the key would show. */
const SCOPE_SIZE = 3000;

let pool: pg.Pool;
let client: pg.PoolClient;
const schema = randomSchema('plan');
const names = resolvePostgresNames({ schema });
const statements = taskStatements(names);

/**
 * The generic plan (the one a prepared statement, or a plpgsql function's cached statement,
 * settles on) of `text` for `values`, under `settings` (those of the function that runs it).
 */
async function genericPlan(
  text: string,
  types: readonly string[],
  values: readonly string[],
  settings: readonly string[] = [],
): Promise<string> {
  await client.query('SET plan_cache_mode = force_generic_plan');
  for (const setting of settings) await client.query(`SET ${setting}`);
  // No types: PostgreSQL infers them from the statement, as for the driver's named statements.
  const declared = types.length ? ` (${types.join(', ')})` : '';
  await client.query(`PREPARE plan_probe${declared} AS ${text}`);
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN EXECUTE plan_probe (${values.join(', ')})`,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('DEALLOCATE plan_probe');
    await client.query('RESET plan_cache_mode');
    await client.query('RESET enable_seqscan');
    await client.query('RESET enable_sort');
  }
}

/** The generic plan of the list function's page statement for `shape`, under its settings. */
function listPagePlan(shape: FilterShape, values: readonly string[]): Promise<string> {
  const types = LIST_PARAMETERS.map(([, type]) => type);
  return genericPlan(listPageSql(names, shape), types, values, LIST_FUNCTION_SETTINGS);
}

/** `plan` is the first rows of the index `tasks_<index>`, in its order: no sort, no other scan. */
function expectIndexWalk(plan: string, index: string): void {
  expect(plan).toMatch(
    new RegExp(`^Limit[^\\n]*\\n\\s*->\\s+Index (Only )?Scan using \\S*tasks_${index}`),
  );
}

beforeAll(async () => {
  pool = await testPool(2);
  await storesOn(pool, { schema }).migrate();
  // One big scope in a table the planner has no statistics for (never analysed).
  await pool.query(
    `INSERT INTO ${names.tasks}
       (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts)
     SELECT 't', 'o', 'task-' || i, 'ctx', 2, i, 1, 1, '{}', '[]'
     FROM generate_series(1, ${SCOPE_SIZE}) AS i`,
  );
  client = await pool.connect();
});

afterAll(async () => {
  client?.release();
  await dropSchema(pool, schema);
  await pool.end();
});

describe('lookups by scoped key', () => {
  const key = ["'t'", "'o'", "'task-7'"];
  const primaryKey = `${names.tablePrefix}tasks_pkey`;

  it('load (the statement of the get function) probes the primary key, not a scope-wide index, on a never-analysed table', async () => {
    const types = ['text', 'text', 'text', 'boolean', 'bigint', 'text'];
    for (const values of [
      [...key, 'false', 'NULL', 'NULL'],
      [...key, 'true', '3', "'L'"],
    ]) {
      const plan = await genericPlan(getTaskSql(names), types, values, WRITE_FUNCTION_SETTINGS);
      expect(plan).toContain(`Index Scan using ${primaryKey}`);
      expect(plan).not.toMatch(/tasks_by_(state|time|context)|Seq Scan/);
    }
  });

  it('save (the statements of the put function) locks the stored row through the primary key', async () => {
    const types = [
      ...['text', 'text', 'text', 'text', 'smallint', 'bigint', 'bigint', 'text', 'text'],
      ...['bigint', 'text', 'bigint', 'smallint', 'text', 'integer'],
    ];
    // $12 expected version, $13 mode (unused by the statement), $14 and $15 the recent form.
    const row = [...key, "'ctx'", '3', '5', '1', "'{}'", "'[]'", '4', "'L'"];
    const values = [...row, '1', '0', "'{}'", '2'];
    for (const mode of ['any', 'absent', 'version'] as const) {
      const plan = await genericPlan(putSql(names, mode), types, values, WRITE_FUNCTION_SETTINGS);
      expect(plan).toContain(`Index Scan using ${primaryKey}`);
      expect(plan).not.toMatch(/tasks_by_(state|time|context)|Seq Scan/);
    }
  });

  it("append (the append function's statement) locks the stored row through the primary key", async () => {
    const types = [
      ...['text', 'text', 'text', 'text', 'smallint', 'bigint', 'bigint', 'bigint'],
      ...['text', 'text', 'bigint', 'text', 'text', 'integer', 'boolean'],
    ];
    // $13..$15: the recent form and whether to store it.
    const row = [...key, "'ctx'", '3', '5', '1', '4', "'{}'", "''", '1', "'L'"];
    const values = [...row, "'{}'", '2', 'true'];
    const plan = await genericPlan(appendSql(names), types, values, WRITE_FUNCTION_SETTINGS);
    expect(plan).toContain(`Index Scan using ${primaryKey}`);
    expect(plan).not.toMatch(/tasks_by_(state|time|context)|Seq Scan/);
  });

  it('the segments of read rows are found through the primary keys', async () => {
    const rowTypes = ['text', 'text', 'text[]', 'xid[]', 'bigint[]'];
    const rowValues = [...key.slice(0, 2), "'{task-7}'", "'{1}'", "'{1}'"];
    const cases = [
      { stmt: statements.rowSegments, types: rowTypes, values: rowValues },
      { stmt: statements.rowSegmentsWithArtifacts, types: rowTypes, values: rowValues },
      // A page listed with historyLength ($6) and artifacts.
      {
        stmt: statements.rowSegmentsForHistory,
        types: [...rowTypes, 'integer'],
        values: [...rowValues, '2'],
      },
    ];
    for (const { stmt, types, values } of cases) {
      const plan = await genericPlan(stmt.text, types, values);
      expect(plan).toContain(`Index Scan using ${primaryKey}`);
      expect(plan).toContain(`${names.tablePrefix}task_segments_pkey`);
      expect(plan).not.toMatch(/tasks_by_(state|time|context)/);
    }
  });

  it("a list page (the list function's statements) walks the index of its filters in the page's order", async () => {
    const expected = ['by_time', 'by_context', 'by_state', 'by_context'];
    const args = {
      pageOne: ["'t'", "'o'", "'ctx'", '2', 'NULL', 'NULL', 'NULL', '11', 'NULL', 'false'],
      deep: ["'t'", "'o'", "'ctx'", '2', '5', '900', "'task-900'", '11', '2', 'true'],
    };
    for (const [i, shape] of LIST_FILTER_SHAPES.entries()) {
      for (const values of Object.values(args)) {
        const plan = await listPagePlan(shape, values);
        // The page is the index's first rows past the bounds: no sort, no scan of the scope.
        expectIndexWalk(plan, expected[i]!);
        // The bounds are index conditions, so a deep page starts at its cursor.
        expect(plan).toMatch(/Index Cond: .*sort_key > .*ROW\(sort_key, id\) </);
        expect(plan).not.toMatch(/Seq Scan|Sort|Filter: \((context_id|state)/);
      }
    }
  });

  it('a page by context or state keeps to its index on a table analysed while one context and one state held every task', async () => {
    // The statistics then say the filters keep every row: the scope's time index, filtered,
    // looks as good as the filter's own index. Real contexts come later, and such a plan reads
    // the whole scope for a page of one of them.
    const values = ["'t'", "'o'", "'ctx'", '2', 'NULL', 'NULL', 'NULL', '11', 'NULL', 'false'];
    const expected = ['by_context', 'by_state', 'by_context'];
    await client.query('BEGIN');
    try {
      await client.query(`ANALYZE ${names.tasks}`);
      for (const [i, shape] of LIST_FILTER_SHAPES.filter((s) => s.context || s.state).entries()) {
        const plan = await listPagePlan(shape, values);
        expectIndexWalk(plan, expected[i]!);
        expect(plan).not.toMatch(/tasks_by_time|Seq Scan|Sort/);
      }
    } finally {
      // The statistics go with the transaction: other tests plan on the never-analysed table.
      await client.query('ROLLBACK');
    }
  });

  it("a list's total sums the counter's shards by key, or counts on an index of its filters", async () => {
    const types = LIST_PARAMETERS.map(([, type]) => type);
    const values = ["'t'", "'o'", "'ctx'", '2', '5', 'NULL', 'NULL', '11', 'NULL', 'false'];
    const counter = await genericPlan(
      listCounterTotalSql(names),
      types,
      values,
      LIST_FUNCTION_SETTINGS,
    );
    expect(counter).toContain(`${names.tablePrefix}task_counts_pkey`);
    expect(counter).not.toMatch(/Seq Scan/);
    for (const shape of LIST_FILTER_SHAPES) {
      const plan = await genericPlan(
        listCountTotalSql(names, shape),
        types,
        values,
        LIST_FUNCTION_SETTINGS,
      );
      expect(plan).toMatch(/Index (Only )?Scan using \S*tasks_by_/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it('delete finds the row through the primary key', async () => {
    const plan = await genericPlan(statements.delete.text, ['text', 'text', 'text'], key);
    expect(plan).toContain(`Index Scan using ${primaryKey}`);
    expect(plan).not.toMatch(/tasks_by_(state|time|context)/);
  });
});
