import { type BackendListQuery, RECENT_REACHES_ALL, type Scope } from '@a2a-stores/core';
import { backendListQuery, randomScope } from '@a2a-stores/core/conformance';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, tableNames } from '../../src/index.js';
import type { MysqlTaskBackend } from '../../src/task-backend.js';
import { TaskStatements } from '../../src/task-statements.js';
import { dropTables, randomPrefix } from './mysql-harness.js';
import { appendOf, backendOf, fullTask } from './segment-fixtures.js';

/** Rows of the measured page whose recent form reaches the asked history length. */
const REACHED = 4;
/** 1 MiB: each body spans about 64 of InnoDB's 16 KiB off-page blob pages. */
const BODY_BYTES = 1024 * 1024;
/** 512 KiB: each of their segments' bodies about 32 more. */
const SEGMENT_BYTES = 512 * 1024;

/** InnoDB's global count of buffer pool page reads (hits and misses) so far. */
async function pageReads(pool: Pool): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_read_requests'",
  );
  return Number(rows[0]?.Value);
}

/**
 * The fewest pages `work` was counted to read over three runs. The counter is server-wide, so
 * other statements running meanwhile only add to it: the least of a few runs is this work's.
 */
async function fewestPageReads(pool: Pool, work: () => Promise<unknown>): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const before = await pageReads(pool);
    await work();
    fewest = Math.min(fewest, (await pageReads(pool)) - before);
  }
  return fewest;
}

/**
 * What a `list` with a short `historyLength` reads of the rows its recent form serves: their
 * recent form, never their bodies' or their segments' bodies' off-page pages (InnoDB reads an
 * off-page column named anywhere in the select list), through the index of its filter. Registered
 * for the server `url` resolves to (the local MariaDB, and MySQL 8 when one is reachable).
 */
export function recentReadSuite(label: string, url: () => Promise<string>): void {
  describe(label, () => {
    const prefix = randomPrefix();
    let pool: Pool;
    let backend: MysqlTaskBackend;

    beforeAll(async () => {
      pool = createPool({ uri: await url(), connectionLimit: 4 });
      await createMysqlStores({ pool }, { tablePrefix: prefix }).migrate();
      backend = backendOf(pool, prefix);
    });

    afterAll(async () => {
      await dropTables(pool, prefix);
      await pool.end();
    });

    /** Reached rows with a large body and a large segment, and one small row not reached. */
    async function seedPage(scope: Scope): Promise<void> {
      for (let i = 0; i < REACHED; i++) {
        const task = fullTask({
          body: `{"big":"${String(i).repeat(BODY_BYTES)}"}`,
          sortKey: 10 + i,
          recent: { text: `{"recent":${i}}`, reach: RECENT_REACHES_ALL },
        });
        await backend.put(scope, task, null, 1);
        const segment = appendOf(task, 1, { sortKey: task.sortKey });
        await backend.append(
          scope,
          { ...segment, segment: { body: 's'.repeat(SEGMENT_BYTES), artifacts: '[]' } },
          1,
          2,
        );
      }
      const small = fullTask({ sortKey: 1 });
      await backend.put(scope, small, null, 1);
      await backend.append(scope, appendOf(small, 1, { sortKey: 1 }), 1, 2);
    }

    it('reads no body and no segment body of the rows its recent form serves', async () => {
      const scope = randomScope();
      await seedPage(scope);
      for (const includeArtifacts of [false, true]) {
        const query = (historyLength?: number): BackendListQuery =>
          backendListQuery({
            includeArtifacts,
            ...(historyLength !== undefined && { historyLength }),
          });
        const served = await backend.list(scope, query(2));
        expect(served.rows.filter((row) => row.recent !== undefined)).toHaveLength(REACHED);
        expect(served.rows.at(-1)?.segments).toHaveLength(1);
        const whole = await fewestPageReads(pool, () => backend.list(scope, query()));
        const short = await fewestPageReads(pool, () => backend.list(scope, query(2)));
        // The bodies alone span 4 x 64 pages, their segments' bodies 4 x 32 more.
        expect(whole).toBeGreaterThan(REACHED * 64);
        expect(short).toBeLessThan(64);
      }
    });

    it('walks the filter index with no filesort, each unserved body one primary-key read', async () => {
      const statement = new TaskStatements(tableNames(prefix)).listPage(
        { tenant: 'plan-tenant', owner: 'plan-owner' },
        backendListQuery({ contextId: 'ctx', historyLength: 2, includeArtifacts: true }),
      );
      const [plan] = await pool.execute<RowDataPacket[]>(
        `EXPLAIN ${statement.sql}`,
        statement.params,
      );
      expect(plan[0]?.key).toBe('tasks_by_context');
      const body = plan.find((step) => step.select_type === 'DEPENDENT SUBQUERY');
      expect(body).toMatchObject({ key: 'PRIMARY', type: 'eq_ref' });
      for (const step of plan) expect(String(step.Extra ?? '')).not.toMatch(/filesort/i);
    });
  });
}
