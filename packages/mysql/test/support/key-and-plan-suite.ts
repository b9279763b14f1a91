import { TaskState } from '@a2a-js/sdk';
import {
  type BackendListQuery,
  CorruptRecordError,
  type CorruptRecordEvent,
  compareIds,
} from '@a2a-stores/core';
import {
  callContext,
  isoAt,
  listAll,
  listRequest,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores, tableNames } from '../../src/index.js';
import { TaskStatements } from '../../src/task-statements.js';
import { dropTables, randomPrefix } from './mysql-harness.js';

/**
 * Ids whose code-point order differs from JavaScript's default UTF-16 order (astral characters
 * are surrogate pairs, below U+E000..U+FFFF in UTF-16 but above them in code points), and from
 * a PAD SPACE collation (trailing space and tab).
 */
const TRICKY_IDS = [
  'a',
  'a ',
  'a\t',
  'a\u0001',
  'A',
  'é',
  '\u00ff',
  '\u0100',
  '\u07ff',
  '\u0800',
  '\ud7ff',
  '\ue000',
  '\ufffd',
  '\uffff',
  '\u{10000}',
  '\u{1f600}',
  '\u{10ffff}',
  'x\u{1f600}',
  'x\uffff',
];

const PLAN_SCOPE = { tenant: 'plan-tenant', owner: 'plan-owner' };

/**
 * Key encoding and list plan checks, registered for the server `url` resolves to (the local
 * MariaDB, and MySQL 8 when one is reachable).
 */
export function keyAndPlanSuite(label: string, url: () => Promise<string>): void {
  describe(label, () => {
    const prefix = randomPrefix();
    const t = tableNames(prefix);
    let pool: Pool;
    let stores: MysqlStores;
    const corrupt: CorruptRecordEvent[] = [];

    beforeAll(async () => {
      pool = createPool({ uri: await url(), connectionLimit: 4 });
      stores = createMysqlStores(
        { pool },
        { tablePrefix: prefix, hooks: { onCorruptRecord: (event) => corrupt.push(event) } },
      );
      await stores.migrate();
    });

    afterAll(async () => {
      await dropTables(pool, prefix);
      await pool.end();
    });

    describe('keys are compared byte-wise (VARBINARY), never by a PAD SPACE collation', () => {
      it('keeps ids that differ only by trailing whitespace apart', async () => {
        const ctx = callContext(randomScope());
        for (const [i, id] of ['same', 'same ', 'same  ', 'same\t'].entries()) {
          await stores.taskStore.save(makeTask({ id, contextId: `c${i}` }), ctx);
        }
        for (const [i, id] of ['same', 'same ', 'same  ', 'same\t'].entries()) {
          expect((await stores.taskStore.load(id, ctx))?.contextId).toBe(`c${i}`);
        }
        expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(4);
      });

      it('orders equal timestamps by code point (astral above U+E000..U+FFFF), on every page', async () => {
        const ctx = callContext(randomScope());
        for (const id of TRICKY_IDS)
          await stores.taskStore.save(makeTask({ id, timestamp: isoAt(0) }), ctx);
        const expected = [...TRICKY_IDS].sort((a, b) => compareIds(b, a));
        // The point of the test: JavaScript's default order disagrees.
        expect([...TRICKY_IDS].sort().reverse()).not.toEqual(expected);
        for (const pageSize of [1, 3, 100]) {
          const listed = await listAll(stores.taskStore, ctx, { pageSize });
          expect(listed.ids).toEqual(expected);
          expect(listed.totalSizes.every((total) => total === TRICKY_IDS.length)).toBe(true);
        }
      });

      it('stores the widest keys exactly: 255 three-byte characters in every key column', async () => {
        const wide = '\uffff'.repeat(255);
        const scope = { tenant: '\u0800'.repeat(255), owner: '\ufffd'.repeat(255) };
        const ctx = callContext(scope);
        const astral = `${'\u{1f600}'.repeat(127)}z`;
        const task = makeTask({ id: wide, contextId: 'é'.repeat(255) });
        await stores.taskStore.save(task, ctx);
        await stores.taskStore.save(makeTask({ id: astral, contextId: 'é'.repeat(255) }), ctx);
        expect((await stores.taskStore.load(wide, ctx))?.contextId).toBe('é'.repeat(255));
        const listed = await stores.taskStore.list(
          listRequest({ contextId: 'é'.repeat(255) }),
          ctx,
        );
        expect(listed.tasks.map((x) => x.id).sort(compareIds)).toEqual(
          [wide, astral].sort(compareIds),
        );
        const [rows] = await pool.execute<RowDataPacket[]>(
          `SELECT LENGTH(id) AS bytes FROM ${t.tasks} WHERE tenant = ? AND owner = ? ORDER BY bytes`,
          [scope.tenant, scope.owner],
        );
        expect(rows.map((row) => Number(row.bytes))).toEqual([127 * 4 + 1, 255 * 3]);
      });
    });

    describe('list reads only what it returns, through the index of its filter', () => {
      function query(overrides: Partial<BackendListQuery>): BackendListQuery {
        return {
          contextId: '',
          state: 0,
          after: null,
          cursor: null,
          limit: 51,
          includeArtifacts: false,
          ...overrides,
        };
      }

      beforeAll(async () => {
        const ctx = callContext(PLAN_SCOPE);
        for (let i = 0; i < 40; i++) {
          const state = i % 3 ? TaskState.TASK_STATE_WORKING : TaskState.TASK_STATE_COMPLETED;
          const contextId = i % 2 ? 'ctx' : 'other';
          await stores.taskStore.save(makeTask({ contextId, state, timestamp: isoAt(i) }), ctx);
        }
      });

      async function explain(
        q: BackendListQuery,
      ): Promise<Array<{ key: string | null; extra: string }>> {
        const statement = new TaskStatements(t).listPage(PLAN_SCOPE, q);
        const [rows] = await pool.execute<RowDataPacket[]>(
          `EXPLAIN ${statement.sql}`,
          statement.params,
        );
        return rows.map((row) => ({
          key: row.key as string | null,
          extra: String(row.Extra ?? ''),
        }));
      }

      // The total's source: the scope's count row (one primary-key lookup) without filters,
      // else the entries of the page's own index.
      const COUNTER = 'PRIMARY';
      it.each([
        ['no filter', 'tasks_by_time', COUNTER, query({})],
        ['a cursor', 'tasks_by_time', COUNTER, query({ cursor: { sortKey: 5, id: 'm' } })],
        ['statusTimestampAfter', 'tasks_by_time', 'tasks_by_time', query({ after: 1 })],
        ['contextId', 'tasks_by_context', 'tasks_by_context', query({ contextId: 'ctx' })],
        [
          'contextId and a cursor',
          'tasks_by_context',
          'tasks_by_context',
          query({ contextId: 'ctx', cursor: { sortKey: 5, id: 'm' } }),
        ],
        [
          'status',
          'tasks_by_state',
          'tasks_by_state',
          query({ state: TaskState.TASK_STATE_WORKING }),
        ],
        [
          'status and artifacts',
          'tasks_by_state',
          'tasks_by_state',
          query({ state: TaskState.TASK_STATE_WORKING, includeArtifacts: true }),
        ],
        [
          'contextId and status',
          'tasks_by_context',
          'tasks_by_context',
          query({ contextId: 'ctx', state: TaskState.TASK_STATE_WORKING }),
        ],
      ])(
        'with %s: the page walks %s with no filesort, the total reads %s',
        async (_label, index, total, q) => {
          const plan = await explain(q);
          expect(plan).toHaveLength(2);
          expect(plan[0]?.key).toBe(index);
          expect(plan[1]?.key).toBe(total);
          for (const step of plan) expect(step.extra).not.toMatch(/filesort/i);
          // Counted from the index alone, never from rows.
          if (total !== COUNTER) expect(plan[1]?.extra).toMatch(/Using index/);
        },
      );

      it('never decodes artifacts for a page that does not return them', async () => {
        const ctx = callContext(randomScope());
        const scope = { tenant: ctx.tenant ?? '', owner: ctx.user?.userName ?? '' };
        const task = makeTask({ artifactCount: 2 });
        await stores.taskStore.save(task, ctx);
        await pool.execute(
          `UPDATE ${t.tasks} SET artifacts = 'not json' WHERE tenant = ? AND owner = ? AND id = ?`,
          [scope.tenant, scope.owner, task.id],
        );
        corrupt.length = 0;
        const page = await stores.taskStore.list(listRequest(), ctx);
        expect(page.tasks.map((x) => x.id)).toEqual([task.id]);
        expect(page.tasks[0]?.artifacts).toEqual([]);
        expect(corrupt).toEqual([]);

        const withArtifacts = await stores.taskStore.list(
          listRequest({ includeArtifacts: true }),
          ctx,
        );
        expect(withArtifacts.tasks).toEqual([]);
        expect(withArtifacts.totalSize).toBe(1);
        expect(corrupt.map((event) => event.recordId)).toEqual([task.id]);
        await expect(stores.taskStore.load(task.id, ctx)).rejects.toBeInstanceOf(
          CorruptRecordError,
        );
      });
    });
  });
}
