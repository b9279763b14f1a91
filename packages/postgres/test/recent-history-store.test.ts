import { randomBytes } from 'node:crypto';
import type { Task } from '@a2a-js/sdk';
import {
  callContext,
  listRequest,
  makeArtifact,
  makeMessage,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresStoreBundle, resolvePostgresNames } from '../src/index.js';
import { rawRow } from './segment-support.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

/*
 * `list` with `historyLength` through the store: a large task is read in its recent form (not
 * its whole history) and comes back exactly as the full read trimmed to that length.
 */

/** Messages of about 1 KB each: a task of 1,000 of them is about 1 MB. */
const MESSAGES = 1000;

let pool: pg.Pool;
let stores: PostgresStoreBundle;
const schema = randomSchema('recent_store');
const names = resolvePostgresNames({ schema });

beforeAll(async () => {
  // One connection: the TOAST block counts below are this session's own reads.
  pool = await testPool(1);
  stores = storesOn(pool, { schema });
  await stores.migrate();
});

afterAll(async () => {
  await stores.close();
  await dropSchema(pool, schema);
  await pool.end();
});

/** 1,000 characters that do not compress, so the body really spans that many bytes of TOAST. */
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

async function listOne(
  ctx: ReturnType<typeof callContext>,
  contextId: string,
  options: { historyLength?: number; includeArtifacts: boolean },
): Promise<Task> {
  const page = await stores.taskStore.list(listRequest({ contextId, ...options }), ctx);
  expect(page.tasks).toHaveLength(1);
  return page.tasks[0]!;
}

/** Blocks of the tasks table's TOAST read by this session so far (hits and reads). */
async function toastBlocks(): Promise<number> {
  // Pending statistics reach the shared counters when the session next goes idle.
  await pool.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await pool.query<{ n: string }>(
    `SELECT coalesce(toast_blks_read, 0) + coalesce(toast_blks_hit, 0) AS n
     FROM pg_statio_user_tables WHERE relid = $1::regclass`,
    [names.tasks],
  );
  return Number(rows[0]?.n ?? 0);
}

describe('list with historyLength through the store', () => {
  it('a 1,000-message task comes back with its last 2 messages, as the full read trimmed', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = largeTask(MESSAGES);
    await stores.taskStore.save(task, ctx);
    const stored = await pool.query(
      `SELECT recent_reach FROM ${names.tasks} WHERE tenant = $1 AND owner = $2 AND id = $3`,
      [scope.tenant, scope.owner, task.id],
    );
    expect(stored.rows[0].recent_reach).toBeGreaterThanOrEqual(2);

    for (const includeArtifacts of [true, false]) {
      const full = await listOne(ctx, task.contextId, { includeArtifacts });
      expect(full.history).toHaveLength(MESSAGES);
      const short = await listOne(ctx, task.contextId, { historyLength: 2, includeArtifacts });
      expect(short.history.map((m) => m.messageId)).toEqual([
        `${task.id}-m${MESSAGES - 2}`,
        `${task.id}-m${MESSAGES - 1}`,
      ]);
      expect(short).toEqual({ ...full, history: full.history.slice(-2) });
    }
    const loaded = (await stores.taskStore.load(task.id, ctx))!;
    const short = await listOne(ctx, task.contextId, { historyLength: 2, includeArtifacts: true });
    expect(short).toEqual({ ...loaded, history: loaded.history.slice(-2) });
  });

  it('after appends (new messages and an artifact), still as the full read trimmed', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = largeTask(MESSAGES);
    await stores.taskStore.save(task, ctx);
    for (let round = 0; round < 2; round++) {
      const held = (await stores.taskStore.load(task.id, ctx))!;
      const at = held.history.length;
      held.history.push(makeMessage(task.id, task.contextId, at, [textPart(noise())]));
      held.artifacts.push(makeArtifact(round + 1));
      await stores.taskStore.save(held, ctx);
    }
    // Saved as appends: the list below merges the segments' artifacts into the recent form.
    expect((await rawRow(pool, names, scope, task.id))?.segment_count).toBe(2);
    for (const includeArtifacts of [true, false]) {
      const full = await listOne(ctx, task.contextId, { includeArtifacts });
      expect(full.history).toHaveLength(MESSAGES + 2);
      for (const historyLength of [1, 2]) {
        const short = await listOne(ctx, task.contextId, { historyLength, includeArtifacts });
        expect(short).toEqual({ ...full, history: full.history.slice(-historyLength) });
      }
    }
  });

  it('reads a few TOAST blocks of a large task instead of its whole body', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = largeTask(MESSAGES);
    await stores.taskStore.save(task, ctx);
    const start = await toastBlocks();
    await listOne(ctx, task.contextId, { includeArtifacts: false });
    const afterFull = await toastBlocks();
    await listOne(ctx, task.contextId, { historyLength: 2, includeArtifacts: false });
    const afterShort = await toastBlocks();
    // ~1 MB of body is over a hundred 8 KB blocks; the recent form is at most 4 KiB.
    expect(afterFull - start).toBeGreaterThan(100);
    expect(afterShort - afterFull).toBeLessThan(10);
  });
});
