import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createMysqlStores, mysqlMigrationScript, tableNames } from '../src/index.js';
import { mysqlTestPool } from './support/mysql-harness.js';
import { appendOf, backendOf, fullTask, storedCounts } from './support/segment-fixtures.js';

const db = mysqlTestPool();

async function columnsOf(table: string): Promise<string[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => String(row.name));
}

describe('step 0005_task_segments', () => {
  it('upgrades a schema with rows from the previous release, and re-runs harmlessly', async () => {
    const prefix = db.prefix();
    const t = tableNames(prefix);
    const stores = createMysqlStores({ pool: db.pool }, { tablePrefix: prefix });
    await stores.migrate();
    // The schema as the previous release left it, with rows it wrote.
    await db.pool.query(
      `ALTER TABLE ${t.tasks} DROP COLUMN segment_count, DROP COLUMN bytes, DROP COLUMN lineage`,
    );
    await db.pool.query(`DROP TABLE ${t.taskSegments}`);
    await db.pool.query(`DELETE FROM ${t.migrations} WHERE id = '0005_task_segments'`);
    const scope = randomScope();
    const ctx = callContext(scope);
    const old = makeTask({ id: 'written-before' });
    await db.pool.execute(
      `INSERT INTO ${t.tasks} (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts)
       VALUES (?, ?, ?, ?, 2, 1, 3, 1, ?, '[]')`,
      [scope.tenant, scope.owner, old.id, old.contextId, JSON.stringify({ ...old, artifacts: [] })],
    );

    const upgraded = createMysqlStores({ pool: db.pool }, { tablePrefix: prefix });
    expect((await upgraded.migrate()).applied).toEqual(['0005_task_segments']);
    expect(await columnsOf(`${prefix}tasks`)).toEqual(
      expect.arrayContaining(['segment_count', 'bytes', 'lineage']),
    );
    expect(await columnsOf(`${prefix}task_segments`)).toEqual([
      'tenant',
      'owner',
      'task_id',
      'seq',
      'body',
      'artifacts',
    ]);
    expect(await storedCounts(db.pool, prefix, scope, old.id)).toEqual({ segments: 0, bytes: 0 });
    const backend = backendOf(db.pool, prefix);
    const before = await backend.get(scope, old.id, false);
    expect(before).toMatchObject({ version: 3, bytes: 0 });
    expect(before?.lineage).toBeUndefined();

    // A crash after the step but before its ledger row: the step runs again, data untouched.
    const rewritten = fullTask({ id: old.id });
    await backend.put(scope, rewritten, 3, 2);
    await backend.append(scope, appendOf(rewritten, 1), 4, 2);
    await db.pool.query(`DELETE FROM ${t.migrations} WHERE id = '0005_task_segments'`);
    expect((await upgraded.migrate()).applied).toEqual(['0005_task_segments']);
    expect((await backend.get(scope, old.id, true))?.segments).toEqual([
      { body: 'b1', artifacts: 'a1' },
    ]);
    await upgraded.taskStore.save(makeTask({ id: 'written-after' }), ctx);
    expect((await upgraded.taskStore.load('written-after', ctx))?.id).toBe('written-after');
  });

  it('is in the script a DBA applies, guarded for servers without ADD COLUMN IF NOT EXISTS', () => {
    const script = mysqlMigrationScript('a2a_', 0);
    expect(script).toContain('CREATE TABLE IF NOT EXISTS `a2a_task_segments`');
    expect(script).toContain("column_name = 'segment_count'");
    expect(script).toContain("'0005_task_segments'");
  });
});
