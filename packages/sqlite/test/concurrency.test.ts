import { join } from 'node:path';
import type { Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import { StoreClosedError, VersionConflictError } from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { contextFor, listRequest, makeTask, makeTempDir } from './helpers.js';

// Writes run in their own event-loop turns (write-queue.ts) so that reads never wait behind
// commits; these tests pin the guarantees that must survive that: read-your-writes, call order,
// one snapshot per page, and close() letting accepted writes finish. Ordering only, no timing.

const CLIENTS = 8;
const ROUNDS = 6;
const scope = contextFor('tenant-concurrency', 'owner');

/** `task` moved on: a new state and timestamp, so each write is distinguishable. */
function moved(task: Task, round: number): Task {
  return {
    ...task,
    status: {
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      message: undefined,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, round)).toISOString(),
    },
    metadata: { round },
  };
}

describe('sqlite reads and writes under concurrency', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function openFileStores(name = 'concurrency.db') {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const filename = join(dir, name);
    const stores = createSqliteStores({ filename });
    await stores.migrate();
    return { stores, filename };
  }

  it('a load or page after an acknowledged save sees it, with concurrent clients in one scope', async () => {
    const { stores } = await openFileStores();
    const store = stores.taskStore;
    const client = async (c: number) => {
      const mine: Task[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const task = makeTask(`c${c}-r${round}`, { contextId: `ctx-${c}` });
        await store.save(task, scope);
        expect(await store.load(task.id, scope)).toEqual(task);
        mine.push(task);
        const update = moved(mine[round % mine.length]!, round);
        await store.save(update, scope);
        expect(await store.load(update.id, scope)).toEqual(update);
        mine[round % mine.length] = update;
        const page = await store.list(listRequest({ pageSize: 100 }), scope);
        // One snapshot: the total counts exactly the rows the (complete) page holds.
        expect(page.totalSize).toBe(page.tasks.length);
        const seen = new Set(page.tasks.map((t) => t.id));
        for (const t of mine) expect(seen.has(t.id)).toBe(true);
      }
      return mine;
    };
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    for (const task of results.flat()) expect(await store.load(task.id, scope)).toEqual(task);
    const page = await store.list(listRequest({ pageSize: 100 }), scope);
    expect(page.totalSize).toBe(CLIENTS * ROUNDS);
    await stores.close();
  });

  it('answers a read called after pending writes before those writes settle', async () => {
    const { stores } = await openFileStores();
    const store = stores.taskStore;
    await store.save(makeTask('existing'), scope);
    const order: string[] = [];
    const writes = Array.from({ length: 4 }, (_, i) =>
      store.save(makeTask(`pending-${i}`), scope).then(() => order.push(`save ${i}`)),
    );
    const read = store.load('existing', scope).then((task) => order.push(`load ${task?.id}`));
    await Promise.all([...writes, read]);
    // The read was not queued behind the writes; the writes kept their call order.
    expect(order).toEqual(['load existing', 'save 0', 'save 1', 'save 2', 'save 3']);
    await stores.close();
  });

  it('a failed write rejects alone with its typed error; the writes queued after it still run', async () => {
    const { stores } = await openFileStores();
    const store = stores.taskStore;
    const version = await store.saveIfVersion(makeTask('guarded'), scope, null);
    const results = await Promise.allSettled([
      store.save(makeTask('before'), scope),
      store.saveIfVersion(moved(makeTask('guarded'), 1), scope, version + 5),
      store.save(makeTask('after'), scope),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    // The refused write changed nothing.
    expect(await store.load('guarded', scope)).toEqual(makeTask('guarded'));
    expect((await store.load('after', scope))?.id).toBe('after');
    await stores.close();
  });

  it('close() lets the writes accepted before it commit, refuses later calls, then closes', async () => {
    const { stores, filename } = await openFileStores();
    const store = stores.taskStore;
    const accepted = Array.from({ length: 5 }, (_, i) => store.save(makeTask(`late-${i}`), scope));
    const acceptedSettled = Promise.allSettled(accepted);
    const closing = stores.close();
    const closingAgain = stores.close();
    const refusedSave = store.save(makeTask('after-close'), scope);
    const refusedSaveSettled = refusedSave.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const refusedLoad = store.load('late-0', scope).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await Promise.all([closing, closingAgain]);
    expect(stores.database.open).toBe(false);
    expect((await acceptedSettled).map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    expect(await refusedSaveSettled).toBeInstanceOf(StoreClosedError);
    expect(await refusedLoad).toBeInstanceOf(StoreClosedError);

    // Everything acknowledged is in the file; the refused write is not.
    const reader = new Database(filename, { readonly: true });
    cleanups.unshift(() => reader.close());
    const ids = reader.prepare('SELECT id FROM a2a_tasks ORDER BY id').pluck().all();
    expect(ids).toEqual(['late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
  });

  it('close() with nothing pending closes at once and stays idempotent', async () => {
    const { stores } = await openFileStores();
    await stores.taskStore.save(makeTask('done'), scope);
    await stores.close();
    expect(stores.database.open).toBe(false);
    await expect(stores.close()).resolves.toBeUndefined();
  });
});
