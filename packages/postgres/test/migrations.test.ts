import { encodeTask, InvalidInputError, SchemaNotMigratedError } from '@a2a-stores/core';
import {
  callContext,
  encodedAppend,
  encodedTask,
  listRequest,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores, postgresMigrations, resolvePostgresNames } from '../src/index.js';
import { ledgerTableSql } from '../src/migrations.js';
import { countingBackend, rawRow } from './segment-support.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const ALL_STEPS = [
  '0001_tasks',
  '0002_task_counts',
  '0003_push_configs',
  '0004_push_config_plans',
  '0005_coordination',
  '0006_task_segments',
  '0007_counter_shards',
  '0008_write_functions',
  '0009_recent_history',
  '0010_read_function',
  '0011_list_function',
  '0012_list_index_order',
];

let pool: pg.Pool;
const schemas: string[] = [];

function freshSchema(): string {
  const schema = randomSchema('mig');
  schemas.push(schema);
  return schema;
}

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length === 1;
}

async function ledgerIds(schema: string, prefix = 'a2a_'): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM "${schema}"."${prefix}migrations" ORDER BY id`,
  );
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  pool = await testPool(8);
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
});

describe('migrate()', () => {
  it('creates the schema, applies every step once and records it in the ledger', async () => {
    const schema = freshSchema();
    const stores = storesOn(pool, { schema });
    const first = await stores.migrate();
    expect(first.applied).toEqual(ALL_STEPS);
    expect(first.current).toEqual(ALL_STEPS);
    expect(await ledgerIds(schema)).toEqual(ALL_STEPS);
    const { rows } = await pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'S') ORDER BY c.relname`,
      [schema],
    );
    expect(rows.map((r) => r.relname)).toEqual([
      'a2a_coord_spill',
      'a2a_coord_spill_id_seq',
      'a2a_leases',
      'a2a_migrations',
      'a2a_push_config_seq',
      'a2a_push_configs',
      'a2a_task_counts',
      'a2a_task_segments',
      'a2a_tasks',
    ]);
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const schema = freshSchema();
    const stores = storesOn(pool, { schema });
    await stores.migrate();
    const second = await stores.migrate();
    expect(second).toEqual({ applied: [], current: ALL_STEPS });
    expect(await ledgerIds(schema)).toEqual(ALL_STEPS);
  });

  it('is safe when five pools migrate the same schema at once', async () => {
    const schema = freshSchema();
    const pools = await Promise.all(Array.from({ length: 5 }, () => testPool(2)));
    try {
      const results = await Promise.all(pools.map((p) => storesOn(p, { schema }).migrate()));
      // Exactly one worker applied the steps; the others waited on the lock and found them done.
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL_STEPS);
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      for (const result of results) expect(result.current).toEqual(ALL_STEPS);
      expect(await ledgerIds(schema)).toEqual(ALL_STEPS);
      const scope = randomScope();
      const stores = storesOn(pools[0]!, { schema });
      await stores.taskStore.save(makeTask({ id: 'after-race' }), callContext(scope));
      expect(await stores.taskStore.load('after-race', callContext(scope))).toBeDefined();
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('keeps two table prefixes in one schema apart', async () => {
    const schema = freshSchema();
    const a = storesOn(pool, { schema, tablePrefix: 'one_' });
    const b = storesOn(pool, { schema, tablePrefix: '' });
    await a.migrate();
    await b.migrate();
    const scope = randomScope();
    await a.taskStore.save(makeTask({ id: 'only-in-one' }), callContext(scope));
    expect(await a.taskStore.load('only-in-one', callContext(scope))).toBeDefined();
    expect(await b.taskStore.load('only-in-one', callContext(scope))).toBeUndefined();
    expect(await ledgerIds(schema, 'one_')).toEqual(ALL_STEPS);
    expect(await ledgerIds(schema, '')).toEqual(ALL_STEPS);
  });
});

describe('0006_task_segments on a schema of the previous release', () => {
  it('adds the columns and table; existing rows read as no segments, size unknown', async () => {
    const schema = freshSchema();
    const names = resolvePostgresNames({ schema });
    // The previous release's schema, exactly as its migrate() left it, with a stored task.
    const previous = postgresMigrations({ schema }).filter((m) => m.id < '0006');
    expect(previous.map((m) => m.id)).toEqual(ALL_STEPS.slice(0, 5));
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(ledgerTableSql(names));
    for (const step of previous) {
      for (const sql of step.statements) await pool.query(sql);
      await pool.query(`INSERT INTO ${names.ledger} (id) VALUES ($1)`, [step.id]);
    }
    const scope = randomScope();
    const ctx = callContext(scope);
    const old = makeTask({ id: 'before-upgrade', artifactCount: 2 });
    const stored = encodeTask(old, 1_000_000);
    await pool.query(
      `INSERT INTO ${names.tasks}
         (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts)
       VALUES ($1, $2, $3, $4, 2, 1, 3, 1, $5, $6)`,
      [scope.tenant, scope.owner, old.id, stored.contextId, stored.body, stored.artifacts],
    );

    const stores = storesOn(pool, { schema });
    expect((await stores.migrate()).applied).toEqual([
      '0006_task_segments',
      '0007_counter_shards',
      '0008_write_functions',
      '0009_recent_history',
      '0010_read_function',
      '0011_list_function',
      '0012_list_index_order',
    ]);
    expect(await rawRow(pool, names, scope, old.id)).toEqual({
      segment_count: 0,
      bytes: '0',
      version: '3',
    });
    const t = countingBackend(pool, schema);
    const row = await t.backend.get(scope, old.id, true);
    expect(row).toMatchObject({ version: 3, bytes: 0 });
    expect(row?.segments).toBeUndefined();
    expect(row?.lineage).toBeUndefined();
    expect(await stores.taskStore.load(old.id, ctx)).toMatchObject({
      id: old.id,
      artifacts: old.artifacts,
    });
    // No lineage: no append applies until a full write gives the row one.
    expect(await t.backend.append(scope, encodedAppend(old.id, 1), 3, 5)).toEqual({
      status: 'conflict',
    });
    await t.backend.put(scope, encodedTask(old.id), 3, 6);
    expect(await t.backend.append(scope, encodedAppend(old.id, 1), 4, 7)).toEqual({
      status: 'written',
      version: 5,
    });
  });
});

describe('0009_recent_history on a schema of the previous release', () => {
  it('adds the columns and replaces the write functions, leaving no old overload', async () => {
    const schema = freshSchema();
    const names = resolvePostgresNames({ schema });
    const previous = postgresMigrations({ schema }).filter((m) => m.id < '0009');
    expect(previous.map((m) => m.id)).toEqual(ALL_STEPS.slice(0, 8));
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(ledgerTableSql(names));
    for (const step of previous) {
      for (const sql of step.statements) await pool.query(sql);
      await pool.query(`INSERT INTO ${names.ledger} (id) VALUES ($1)`, [step.id]);
    }
    // A large task written by the previous release's put function.
    const scope = randomScope();
    const ctx = callContext(scope);
    const old = makeTask({ id: 'before-upgrade', historyLength: 200 });
    const stored = encodeTask(old, 1_000_000);
    await pool.query(
      `SELECT * FROM ${names.putTask}($1, $2, $3, $4, $5::smallint, 1, 1, $6, $7, $8, 'L', NULL, 1::smallint)`,
      [
        scope.tenant,
        scope.owner,
        old.id,
        stored.contextId,
        stored.state,
        stored.body,
        stored.artifacts,
        stored.bytes,
      ],
    );

    const stores = storesOn(pool, { schema });
    expect((await stores.migrate()).applied).toEqual([
      '0009_recent_history',
      '0010_read_function',
      '0011_list_function',
      '0012_list_index_order',
    ]);
    const { rows: functions } = await pool.query<{ proname: string; pronargs: number }>(
      `SELECT p.proname, p.pronargs FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
       WHERE n.nspname = $1 AND p.proname IN ('a2a_put_task', 'a2a_append_task') ORDER BY p.proname`,
      [schema],
    );
    expect(functions).toEqual([
      { proname: 'a2a_append_task', pronargs: 15 },
      { proname: 'a2a_put_task', pronargs: 15 },
    ]);
    // The row from before has no recent form: a short list reads it whole, and trims it.
    const listed = await stores.taskStore.list(listRequest({ historyLength: 2 }), ctx);
    expect(listed.tasks[0]?.history).toEqual(old.history.slice(-2));
    // Its next save stores one.
    await stores.taskStore.save(old, ctx);
    const { rows } = await pool.query(
      `SELECT recent_reach FROM ${names.tasks} WHERE tenant = $1 AND owner = $2 AND id = $3`,
      [scope.tenant, scope.owner, old.id],
    );
    expect(rows[0].recent_reach).toBeGreaterThanOrEqual(2);
  });
});

describe('a store on a schema that is not migrated', () => {
  it('fails with SchemaNotMigratedError naming every step, and creates nothing', async () => {
    const schema = freshSchema();
    const stores = storesOn(pool, { schema });
    const ctx = callContext(randomScope());
    const error = await rejectionOf(stores.taskStore.load('t', ctx));
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect((error as SchemaNotMigratedError).missing).toEqual(ALL_STEPS);
    expect((error as Error).message).toContain('0001_tasks');
    await expect(stores.pushNotificationStore.load('t', ctx)).rejects.toBeInstanceOf(
      SchemaNotMigratedError,
    );
    await expect(stores.taskStore.save(makeTask(), ctx)).rejects.toBeInstanceOf(
      SchemaNotMigratedError,
    );
    // No DDL outside migrate(): the failed calls created no schema and no table.
    expect(await schemaExists(schema)).toBe(false);
  });

  it('names the one missing step of an older schema', async () => {
    const schema = freshSchema();
    await storesOn(pool, { schema }).migrate();
    // An older release's schema: the last steps are not in the ledger (nor their objects).
    const names = resolvePostgresNames({ schema });
    await pool.query(`DROP FUNCTION ${names.putPushConfig}`);
    await pool.query(`DROP TABLE ${names.pushConfigs}`);
    await pool.query(`DROP SEQUENCE ${names.pushSeq}`);
    await pool.query(`DROP TABLE ${names.leases}, ${names.spill}`);
    await pool.query(
      `DELETE FROM ${names.ledger} WHERE id IN ('0003_push_configs', '0004_push_config_plans', '0005_coordination')`,
    );
    const stores = storesOn(pool, { schema });
    const error = await rejectionOf(stores.taskStore.load('t', callContext(randomScope())));
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    const lastSteps = ['0003_push_configs', '0004_push_config_plans', '0005_coordination'];
    expect((error as SchemaNotMigratedError).missing).toEqual(lastSteps);
    // migrate() brings it up to date, and the same store then works without being rebuilt.
    expect((await stores.migrate()).applied).toEqual(lastSteps);
    expect(await stores.taskStore.load('t', callContext(randomScope()))).toBeUndefined();
  });

  it('picks up a migrate() run by another worker without being rebuilt', async () => {
    const schema = freshSchema();
    const stores = storesOn(pool, { schema });
    const ctx = callContext(randomScope());
    await expect(stores.taskStore.load('t', ctx)).rejects.toBeInstanceOf(SchemaNotMigratedError);
    await storesOn(pool, { schema }).migrate();
    expect(await stores.taskStore.load('t', ctx)).toBeUndefined();
  });

  it('reports a schema dropped after the first check as not migrated, not as a driver error', async () => {
    const schema = freshSchema();
    const stores = storesOn(pool, { schema });
    await stores.migrate();
    const ctx = callContext(randomScope());
    expect(await stores.taskStore.load('t', ctx)).toBeUndefined();
    await dropSchema(pool, schema);
    const error = await rejectionOf(stores.taskStore.load('t', ctx));
    expect(error).toBeInstanceOf(SchemaNotMigratedError);
    expect((error as SchemaNotMigratedError).missing).toEqual(ALL_STEPS);
  });
});

describe('schema and prefix names', () => {
  const bad: [string, Record<string, string>][] = [
    ['an upper-case schema', { schema: 'Public' }],
    ['a quoted schema', { schema: 'x"; DROP TABLE y; --' }],
    ['a dotted schema', { schema: 'a.b' }],
    ['an empty schema', { schema: '' }],
    ['a reserved schema', { schema: 'pg_catalog' }],
    ['a schema over 63 characters', { schema: 'a'.repeat(64) }],
    ['a prefix with a space', { tablePrefix: 'a b' }],
    ['a prefix starting with a digit', { tablePrefix: '1x_' }],
    ['a prefix over 40 characters', { tablePrefix: 'p'.repeat(41) }],
  ];
  for (const [what, options] of bad) {
    it(`refuses ${what} with InvalidInputError before connecting`, () => {
      expect(() => createPostgresStores({ pool }, options)).toThrow(InvalidInputError);
    });
  }

  it('quotes every name it derives', () => {
    const names = resolvePostgresNames({ schema: 'app', tablePrefix: 'x_' });
    expect(names.tasks).toBe('"app"."x_tasks"');
    const sql = postgresMigrations({ schema: 'app', tablePrefix: 'x_' })
      .flatMap((m) => m.statements)
      .join('\n');
    expect(sql).toContain('CREATE TABLE "app"."x_tasks"');
    expect(sql).not.toMatch(/\bapp\.x_/);
  });
});
