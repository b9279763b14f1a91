import { randomBytes } from 'node:crypto';
import type { Task } from '@a2a-js/sdk';
import { canonicalTask, type Scope } from '@a2a-stores/core';
import {
  callContext,
  listRequest,
  makeMessage,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores, tableNames } from '../src/index.js';
import { mysqlTestPool } from './support/mysql-harness.js';

/*
 * `list` with `historyLength` through the store: a large task is listed from its recent form,
 * not its whole history, and comes back exactly as the full read trimmed to that length.
 */

/** Messages of 1,000 characters: a task of 1,000 of them is about 1 MB. */
const MESSAGES = 1000;

const db = mysqlTestPool();
const prefix = db.prefix();
const t = tableNames(prefix);
let stores: MysqlStores;

beforeAll(async () => {
  stores = createMysqlStores({ pool: db.pool }, { tablePrefix: prefix });
  await stores.migrate();
});

function noise(): string {
  return randomBytes(750).toString('base64');
}

function largeTask(messages: number): Task {
  const task = makeTask({ historyLength: 0, artifactCount: 1 });
  for (let i = 0; i < messages; i++) {
    task.history.push(makeMessage(task.id, task.contextId, i, [textPart(noise())]));
  }
  return task;
}

type Context = ReturnType<typeof callContext>;

async function listOne(
  ctx: Context,
  task: Task,
  options: { historyLength?: number; includeArtifacts: boolean },
): Promise<{ tasks: Task[]; totalSize: number }> {
  return stores.taskStore.list(listRequest({ contextId: task.contextId, ...options }), ctx);
}

/** Every short list of `task` is its full load, trimmed, with or without artifacts. */
async function expectShortListsMatchLoad(ctx: Context, task: Task): Promise<void> {
  const loaded = canonicalTask((await stores.taskStore.load(task.id, ctx)) as Task);
  expect(loaded).toEqual(canonicalTask(task));
  for (const historyLength of [1, 2]) {
    for (const includeArtifacts of [false, true]) {
      const page = await listOne(ctx, task, { historyLength, includeArtifacts });
      expect(page.totalSize).toBe(1);
      expect(page.tasks[0]).toEqual({
        ...loaded,
        history: loaded.history.slice(-historyLength),
        artifacts: includeArtifacts ? loaded.artifacts : [],
      });
    }
  }
}

/** Overwrites the stored body behind the store's back, so any read of it would fail. */
async function corruptBody(scope: Scope, id: string): Promise<void> {
  const [result] = await db.pool.execute<ResultSetHeader>(
    `UPDATE ${t.tasks} SET body = 'not json' WHERE tenant = ? AND owner = ? AND id = ?`,
    [scope.tenant, scope.owner, id],
  );
  expect(result.affectedRows).toBe(1);
}

describe('list with historyLength through the store', () => {
  it('a 1,000-message task comes back with its last 2 messages, as the full read trimmed', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = largeTask(MESSAGES);
    await stores.taskStore.save(task, ctx);
    await expectShortListsMatchLoad(ctx, task);
    const page = await listOne(ctx, task, { historyLength: 2, includeArtifacts: false });
    expect(page.tasks[0]?.history.map((m) => m.messageId)).toEqual([
      `${task.id}-m${MESSAGES - 2}`,
      `${task.id}-m${MESSAGES - 1}`,
    ]);

    // Served from the recent form: the body is never read, so a body no one can decode does
    // not stop it, while a list that needs the body skips the task as corrupt.
    await corruptBody(scope, task.id);
    const short = await listOne(ctx, task, { historyLength: 2, includeArtifacts: true });
    expect(short.tasks[0]?.history).toEqual(task.history.slice(-2));
    expect(short.tasks[0]?.artifacts).toEqual(task.artifacts);
    const whole = await listOne(ctx, task, { includeArtifacts: false });
    expect(whole.tasks).toEqual([]);
    expect(whole.totalSize).toBe(1);
  });

  it('stays exact while messages and artifact chunks are appended, and after a rewrite', async () => {
    const ctx = callContext(randomScope());
    const task = largeTask(200);
    await stores.taskStore.save(task, ctx);
    for (let i = 0; i < 6; i++) {
      task.history.push(makeMessage(task.id, task.contextId, 1_000 + i, [textPart(noise())]));
      task.artifacts[0]?.parts.push(textPart(`chunk ${i}`));
      await stores.taskStore.save(task, ctx);
      await expectShortListsMatchLoad(ctx, task);
    }
    // They were appends, each storing the task's new recent form.
    const [appended] = await db.pool.execute<RowDataPacket[]>(
      `SELECT segment_count, recent_reach FROM ${t.tasks} WHERE id = ?`,
      [task.id],
    );
    expect(Number(appended[0]?.segment_count)).toBeGreaterThan(0);
    expect(Number(appended[0]?.recent_reach)).toBeGreaterThanOrEqual(2);
    // A rewrite that shrinks the task below the size of a large one drops its recent form.
    task.history = task.history.slice(-1);
    await stores.taskStore.save(task, ctx);
    await expectShortListsMatchLoad(ctx, task);
    const [rows] = await db.pool.execute<RowDataPacket[]>(
      `SELECT recent, recent_reach FROM ${t.tasks} WHERE id = ?`,
      [task.id],
    );
    expect(rows[0]).toEqual({ recent: null, recent_reach: null });
  });
});
