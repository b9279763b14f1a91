import { TaskState } from '@a2a-js/sdk';
import { type Scope, StaleWriteError, VersionConflictError } from '@a2a-stores/core';
import { callContext, listRequest, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMysqlStores,
  MigrationPrivilegeError,
  type MysqlStores,
  tableNames,
} from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const STATES = [
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_WORKING,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_CANCELED,
];
const CONTEXTS = ['ctx-a', 'ctx-b', 'ctx-c'];

let url: string;
let pool: Pool;
const prefixes: string[] = [];

async function migrated(): Promise<{ stores: MysqlStores; prefix: string }> {
  const prefix = randomPrefix();
  prefixes.push(prefix);
  const stores = createMysqlStores({ pool }, { tablePrefix: prefix });
  await stores.migrate();
  return { stores, prefix };
}

/** Scope counts as `tenant:owner=n` (hex keys), sorted; zero counts left out. */
async function countersOf(prefix: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT CONCAT(HEX(tenant), ':', HEX(owner), '=', n) AS c
     FROM ${tableNames(prefix).taskCounts} WHERE n <> 0`,
  );
  return rows.map((row) => String(row.c)).sort();
}

/** The counts recomputed from the task rows: what the triggers must have kept. */
async function truthOf(prefix: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT CONCAT(HEX(tenant), ':', HEX(owner), '=', COUNT(*)) AS c
     FROM ${tableNames(prefix).tasks} GROUP BY tenant, owner`,
  );
  return rows.map((row) => String(row.c)).sort();
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Random saves, state moves (stale ones included), compare-and-sets and deletes in `scopes`. */
async function churn(stores: MysqlStores, scopes: Scope[], ops: number): Promise<void> {
  const ids = Array.from({ length: 12 }, (_, i) => `task-${i}`);
  for (let op = 0; op < ops; op++) {
    const ctx = callContext(pick(scopes));
    const id = pick(ids);
    const task = makeTask({ id, contextId: pick(CONTEXTS), state: pick(STATES) });
    const roll = Math.random();
    try {
      if (roll < 0.55) await stores.taskStore.save(task, ctx);
      else if (roll < 0.85) {
        const stored = await stores.taskStore.loadVersioned(id, ctx);
        await stores.taskStore.saveIfVersion(task, ctx, stored?.version ?? null);
      } else await stores.taskStore.delete(id, ctx);
    } catch (error) {
      // Lost races and refused terminal moves are outcomes, not failures.
      if (!(error instanceof VersionConflictError || error instanceof StaleWriteError)) throw error;
    }
  }
}

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  pool = createPool({ uri: url, connectionLimit: 16 });
});

afterAll(async () => {
  for (const prefix of prefixes) await dropTables(pool, prefix);
  await pool.end();
});

describe('scope task counts', () => {
  it('stay exact through concurrent saves, state and context moves, refusals and deletes', async () => {
    const { stores, prefix } = await migrated();
    const scopes = [randomScope(), randomScope()];
    await Promise.all(Array.from({ length: 12 }, () => churn(stores, scopes, 60)));
    expect(await countersOf(prefix)).toEqual(await truthOf(prefix));

    // And list reports them unfiltered, and counts every filter exactly.
    const [scope] = scopes;
    const ctx = callContext(scope!);
    const everything = await stores.taskStore.list(listRequest({ pageSize: 100 }), ctx);
    for (const state of STATES) {
      const expected = everything.tasks.filter((task) => task.status?.state === state).length;
      expect((await stores.taskStore.list(listRequest({ status: state }), ctx)).totalSize).toBe(
        expected,
      );
      for (const contextId of CONTEXTS) {
        const inContext = everything.tasks.filter((task) => task.contextId === contextId);
        const page = await stores.taskStore.list(listRequest({ contextId }), ctx);
        expect(page.totalSize).toBe(inContext.length);
        const both = await stores.taskStore.list(listRequest({ contextId, status: state }), ctx);
        expect(both.totalSize).toBe(inContext.filter((t) => t.status?.state === state).length);
      }
    }
    expect(everything.totalSize).toBe(everything.tasks.length);
  });

  it('are what an unfiltered list reports: the total is read, not counted', async () => {
    const { stores, prefix } = await migrated();
    const scope = randomScope();
    const ctx = callContext(scope);
    for (let i = 0; i < 3; i++) await stores.taskStore.save(makeTask({ contextId: 'c' }), ctx);
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(3);
    await pool.execute(
      `UPDATE ${tableNames(prefix).taskCounts} SET n = 1000 WHERE tenant = ? AND owner = ?`,
      [scope.tenant, scope.owner],
    );
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1000);
    // A filtered list counts its own index range.
    expect((await stores.taskStore.list(listRequest({ contextId: 'c' }), ctx)).totalSize).toBe(3);
    const byState = await stores.taskStore.list(
      listRequest({ status: TaskState.TASK_STATE_WORKING }),
      ctx,
    );
    expect(byState.totalSize).toBe(3);
  });

  it('start exact on a schema upgraded from a release without them, and after a re-run step', async () => {
    const { stores, prefix } = await migrated();
    const t = tableNames(prefix);
    const scopes = [randomScope(), randomScope()];
    await churn(stores, scopes, 80);
    // The schema as the previous release left it: no counters, no triggers, no ledger row.
    for (const trigger of Object.values(t.countTriggers)) {
      await pool.query(`DROP TRIGGER ${trigger}`);
    }
    await pool.query(`DROP TABLE ${t.taskCounts}`);
    await pool.query(`DELETE FROM ${t.migrations} WHERE id = '0003_task_counts'`);
    // Rows that previous release wrote meanwhile.
    await pool.query(
      `INSERT INTO ${t.tasks} (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts)
       SELECT tenant, owner, CONCAT(id, '-copy'), context_id, state, sort_key, 1, updated_at, body, artifacts FROM ${t.tasks}`,
    );

    expect((await stores.migrate()).applied).toEqual(['0003_task_counts']);
    expect(await countersOf(prefix)).toEqual(await truthOf(prefix));
    expect(await countersOf(prefix)).toHaveLength(2);

    // A crash after the step but before its ledger row: the step runs again, still exact.
    await pool.query(`DELETE FROM ${t.migrations} WHERE id = '0003_task_counts'`);
    expect((await stores.migrate()).applied).toEqual(['0003_task_counts']);
    expect(await countersOf(prefix)).toEqual(await truthOf(prefix));
    await churn(stores, scopes, 40);
    expect(await countersOf(prefix)).toEqual(await truthOf(prefix));
  });

  it('that fall to zero are dropped by purge', async () => {
    const { stores, prefix } = await migrated();
    const emptied = Array.from({ length: 3 }, () => callContext(randomScope()));
    for (const ctx of emptied) {
      await stores.taskStore.save(makeTask({ state: TaskState.TASK_STATE_COMPLETED }), ctx);
    }
    const keptScope = randomScope();
    const kept = callContext(keptScope);
    await stores.taskStore.save(makeTask({ state: TaskState.TASK_STATE_COMPLETED }), kept);
    await stores.taskStore.save(makeTask({ state: TaskState.TASK_STATE_WORKING }), kept);
    const result = await stores.taskStore.purge({
      olderThan: new Date(Date.now() + 60_000),
      batchSize: 2,
    });
    expect(result.deleted).toBe(4);
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT CAST(tenant AS CHAR) AS tenant, n FROM ${tableNames(prefix).taskCounts}`,
    );
    expect(rows.map((row) => `${row.tenant}=${row.n}`)).toEqual([`${keptScope.tenant}=1`]);
    expect((await stores.taskStore.list(listRequest(), kept)).totalSize).toBe(1);
    expect((await stores.taskStore.list(listRequest(), emptied[0]!)).totalSize).toBe(0);
  });
});

describe('migrate() without the TRIGGER privilege', () => {
  const user = `a2a_notrig_${Math.random().toString(36).slice(2, 8)}`;
  let limited: Pool | undefined;

  afterAll(async () => {
    await limited?.end();
    await pool.query(`DROP USER IF EXISTS '${user}'@'%'`);
  });

  it('fails with MigrationPrivilegeError saying what to grant, and leaves no counter half-made', async () => {
    const [[db]] = await pool.query<RowDataPacket[]>('SELECT DATABASE() AS name');
    const database = String(db?.name);
    await pool.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
    await pool.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON \`${database}\`.* TO '${user}'@'%'`,
    );
    const target = new URL(url);
    target.username = user;
    target.password = 'pw';
    limited = createPool({ uri: target.toString(), connectionLimit: 2 });
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const stores = createMysqlStores({ pool: limited }, { tablePrefix: prefix });
    const error = await stores.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationPrivilegeError);
    expect((error as Error).message).toMatch(/TRIGGER privilege/);
    expect((error as Error).message).toMatch(/log_bin_trust_function_creators/);
    // The step is not recorded, so a privileged migrate() later completes it.
    const [ledger] = await pool.query<RowDataPacket[]>(
      `SELECT id FROM ${tableNames(prefix).migrations} ORDER BY id`,
    );
    expect(ledger.map((row) => String(row.id))).toEqual(['0001_tasks', '0002_push_configs']);
    const admin = createMysqlStores({ pool }, { tablePrefix: prefix });
    expect((await admin.migrate()).applied).toEqual([
      '0003_task_counts',
      '0004_coordination',
      '0005_task_segments',
      '0006_recent_history',
    ]);
    await admin.taskStore.save(makeTask(), callContext(randomScope()));
    expect(await countersOf(prefix)).toEqual(await truthOf(prefix));
  });
});
