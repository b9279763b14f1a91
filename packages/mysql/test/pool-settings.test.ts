import { TaskState } from '@a2a-js/sdk';
import { StaleWriteError, type StaleWriteEvent } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const prefix = randomPrefix();
let url: string;
let admin: Pool;

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  admin = createPool({ uri: url, connectionLimit: 2 });
  await createMysqlStores({ pool: admin }, { tablePrefix: prefix }).migrate();
});

afterAll(async () => {
  await dropTables(admin, prefix);
  await admin.end();
});

/*
 * Pools you pass in may be configured in ways that change what the driver reports: affected
 * rows without CLIENT_FOUND_ROWS, 64-bit numbers as strings, rows as arrays. The write outcomes
 * must not depend on any of it.
 */
describe.each<[string, Omit<PoolOptions, 'uri'>]>([
  ["mysql2's defaults (CLIENT_FOUND_ROWS on)", {}],
  ['CLIENT_FOUND_ROWS off', { flags: ['-FOUND_ROWS'] }],
  [
    'big numbers as strings, rows as arrays, named placeholders',
    { supportBigNumbers: true, bigNumberStrings: true, rowsAsArray: true, namedPlaceholders: true },
  ],
])('a pool with %s', (_label, poolOptions) => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool({ uri: url, connectionLimit: 3, ...poolOptions });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('reports insert, update, stale and conflict outcomes exactly', async () => {
    const stale: StaleWriteEvent[] = [];
    const stores = createMysqlStores(
      { pool },
      {
        tablePrefix: prefix,
        hooks: { onStaleWrite: (event) => stale.push(event) },
        pushUrlCheck: conformancePushUrlCheck(),
      },
    );
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    expect((await stores.taskStore.loadVersioned(task.id, ctx))?.version).toBe(1);
    // Re-saving identical content is still a write: a new version.
    await stores.taskStore.save(task, ctx);
    expect((await stores.taskStore.loadVersioned(task.id, ctx))?.version).toBe(2);

    const done = { ...task, status: { ...task.status!, state: TaskState.TASK_STATE_COMPLETED } };
    expect(await stores.taskStore.saveIfVersion(done, ctx, 2)).toBe(3);
    // A late working event after completion: dropped (reported), stored task unchanged.
    await stores.taskStore.save(task, ctx);
    expect(stale).toHaveLength(1);
    expect(stale[0]?.storedState).toBe(TaskState.TASK_STATE_COMPLETED);
    const after = await stores.taskStore.loadVersioned(task.id, ctx);
    expect(after?.version).toBe(3);
    expect(after?.task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    // The same terminal state may still be written (a final artifact).
    await stores.taskStore.save(done, ctx);
    expect((await stores.taskStore.loadVersioned(task.id, ctx))?.version).toBe(4);
    await expect(stores.taskStore.saveIfVersion(task, ctx, 4)).rejects.toBeInstanceOf(
      StaleWriteError,
    );

    const page = await stores.taskStore.list(listRequest(), ctx);
    expect(page.totalSize).toBe(1);
    expect(page.tasks.map((t) => t.id)).toEqual([task.id]);

    for (const id of ['a', 'b', 'a']) {
      await stores.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id }));
    }
    expect((await stores.pushNotificationStore.load(task.id, ctx)).map((c) => c.id)).toEqual([
      'b',
      'a',
    ]);
  });
});

describe('a pool the stores create', () => {
  /** What mysql2 resolved for the pool's connections (its own config object). */
  function connectionTrace(pool: Pool): unknown {
    const core = (
      pool as unknown as { pool: { config: { connectionConfig: { trace?: unknown } } } }
    ).pool;
    return core.config.connectionConfig.trace;
  }

  it('captures no stack trace per query unless poolOptions asks for it', async () => {
    const quiet = createMysqlStores({ uri: url }, { tablePrefix: prefix });
    const traced = createMysqlStores(
      { uri: url, poolOptions: { trace: true } },
      { tablePrefix: prefix },
    );
    try {
      expect(connectionTrace(quiet.pool)).toBe(false);
      expect(connectionTrace(traced.pool)).toBe(true);
      // Both still work: a save and a load through each.
      for (const stores of [quiet, traced]) {
        const context = callContext(randomScope());
        const task = makeTask();
        await stores.taskStore.save(task, context);
        expect((await stores.taskStore.load(task.id, context))?.id).toBe(task.id);
      }
    } finally {
      await quiet.close();
      await traced.close();
    }
  });

  it('leaves a pool you pass in as you configured it', () => {
    const stores = createMysqlStores({ pool: admin }, { tablePrefix: prefix });
    expect(connectionTrace(stores.pool)).toBe(true);
  });
});
