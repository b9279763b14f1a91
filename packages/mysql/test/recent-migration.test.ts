import { backendListQuery, randomScope } from '@a2a-stores/core/conformance';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createMysqlStores, mysqlMigrationScript, tableNames } from '../src/index.js';
import { mysqlTestPool } from './support/mysql-harness.js';
import { backendOf, fullTask } from './support/segment-fixtures.js';

const db = mysqlTestPool();

async function recentColumnsOf(table: string): Promise<Record<string, unknown>[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable,
            character_set_name AS charset, collation_name AS collation
     FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = ? AND column_name LIKE 'recent%'
     ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => ({ ...row }));
}

describe('step 0006_recent_history', () => {
  it('upgrades a schema with rows from the previous release, and re-runs harmlessly', async () => {
    const prefix = db.prefix();
    const t = tableNames(prefix);
    await createMysqlStores({ pool: db.pool }, { tablePrefix: prefix }).migrate();
    // The schema as the previous release left it, with a row it wrote.
    await db.pool.query(`ALTER TABLE ${t.tasks} DROP COLUMN recent, DROP COLUMN recent_reach`);
    await db.pool.query(`DELETE FROM ${t.migrations} WHERE id = '0006_recent_history'`);
    const scope = randomScope();
    const old = fullTask();
    await db.pool.execute(
      `INSERT INTO ${t.tasks} (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts, bytes, lineage)
       VALUES (?, ?, ?, ?, 2, 1, 1, 1, ?, '[]', 10, 'l')`,
      [scope.tenant, scope.owner, old.id, old.contextId, old.body],
    );

    const upgraded = createMysqlStores({ pool: db.pool }, { tablePrefix: prefix });
    expect((await upgraded.migrate()).applied).toEqual(['0006_recent_history']);
    expect(await recentColumnsOf(`${prefix}tasks`)).toEqual([
      {
        name: 'recent',
        type: 'text',
        nullable: 'YES',
        charset: 'utf8mb4',
        collation: 'utf8mb4_bin',
      },
      { name: 'recent_reach', type: 'int', nullable: 'YES', charset: null, collation: null },
    ]);
    // A row written before has no recent form: it lists with its body.
    const backend = backendOf(db.pool, prefix);
    const listed = await backend.list(scope, backendListQuery({ historyLength: 2 }));
    expect(listed.rows.map((row) => [row.body, row.recent ?? undefined])).toEqual([
      [old.body, undefined],
    ]);

    // A crash after the step but before its ledger row: the step runs again, data untouched.
    await backend.put(scope, { ...old, recent: { text: '{"r":1}', reach: 3 } }, undefined, 2);
    await db.pool.query(`DELETE FROM ${t.migrations} WHERE id = '0006_recent_history'`);
    expect((await upgraded.migrate()).applied).toEqual(['0006_recent_history']);
    const again = await backend.list(scope, backendListQuery({ historyLength: 2 }));
    expect(again.rows.map((row) => row.recent)).toEqual(['{"r":1}']);
  });

  it('is in the script a DBA applies, guarded for servers without ADD COLUMN IF NOT EXISTS', () => {
    const script = mysqlMigrationScript('a2a_', 0);
    expect(script).toContain("column_name = 'recent'");
    expect(script).toContain(
      'ADD COLUMN recent TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL',
    );
    expect(script).toContain("'0006_recent_history'");
  });
});
