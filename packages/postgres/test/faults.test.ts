import { TaskState } from '@a2a-js/sdk';
import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { type PostgresInstance, startPostgresInstance, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores, type PostgresStoreBundle } from '../src/index.js';

/** Generous bound that only a hung promise can exceed; no speed is being measured. */
const HANG_LIMIT_MS = 20_000;

/** Resolves with the promise's rejection; fails the test if it neither settles nor rejects. */
async function rejectsWithoutHanging(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`call still pending after ${HANG_LIMIT_MS} ms`)),
      HANG_LIMIT_MS,
    );
  });
  try {
    return await Promise.race([rejectionOf(promise), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A gate the load workers wait on while the server is down, so they do not spin. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

let server: PostgresInstance;
let stores: PostgresStoreBundle;

beforeAll(async () => {
  server = await startPostgresInstance();
  stores = createPostgresStores(
    { connectionString: server.url, poolConfig: { max: 6, connectionTimeoutMillis: 5_000 } },
    { schema: 'faults', pushUrlCheck: conformancePushUrlCheck() },
  );
  await stores.migrate();
}, 120_000);

afterAll(async () => {
  await stores?.close();
  await server?.stop();
});

describe('a PostgreSQL server killed hard under load, then restarted', () => {
  it('fails calls fast with typed errors, recovers the same store, and loses no acknowledged write', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const ackedTasks = new Map<string, string>(); // task id -> context id
    const ackedConfigs = new Map<string, string>(); // task id -> config id
    const failures: unknown[] = [];
    let killed = false;
    let stop = false;
    const serverBack = gate();
    const enoughAcked = gate();

    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const id = `w${n}-${i}`;
        const contextId = `ctx-${i % 4}`;
        try {
          await stores.taskStore.save(
            makeTask({ id, contextId, state: TaskState.TASK_STATE_WORKING }),
            ctx,
          );
          ackedTasks.set(id, contextId);
          if (i % 3 === 0) {
            const config = makePushConfig(id, { id: `cfg-${id}` });
            await stores.pushNotificationStore.save(id, ctx, config);
            ackedConfigs.set(id, config.id!);
          }
          if (ackedTasks.size >= 150) enoughAcked.open();
        } catch (error) {
          failures.push(error);
          // Failures are expected only once the server is gone; then wait for it to return.
          if (killed) await serverBack.wait;
          else throw error;
        }
      }
    };
    const workers = Array.from({ length: 4 }, (_, n) => worker(n));

    // Workers only settle early by failing, which then fails the test here instead of hanging.
    await Promise.race([enoughAcked.wait, Promise.all(workers)]);
    killed = true;
    await server.kill();
    const ackedBeforeOutage = ackedTasks.size;

    // During the outage every kind of call fails with StoreUnavailableError, none hangs. Each
    // call gets its rejection handler as it starts: created first and awaited one by one, a call
    // rejecting before its turn would be an unhandled rejection that fails the whole run.
    const outageCalls: (() => Promise<unknown>)[] = [
      () => stores.taskStore.load('w0-0', ctx),
      () => stores.taskStore.save(makeTask({ id: 'during-outage' }), ctx),
      () => stores.taskStore.list(listRequest(), ctx),
      () => stores.taskStore.delete('w0-1', ctx),
      () => stores.pushNotificationStore.load('w0-0', ctx),
      () => stores.pushNotificationStore.save('w0-0', ctx, makePushConfig('w0-0')),
    ];
    const outcomes = await Promise.all(outageCalls.map((call) => rejectsWithoutHanging(call())));
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(StoreUnavailableError);

    await server.restart();
    // The same store recovers on its own: no rebuild, no new pool.
    await waitFor('the store to serve again', async () => {
      await stores.taskStore.load('w0-0', ctx);
      return true;
    });
    serverBack.open();
    // Load resumes against the restarted server before it stops.
    await waitFor('writes after the restart', async () => ackedTasks.size > ackedBeforeOutage + 20);
    stop = true;
    await Promise.all(workers);

    for (const failure of failures) expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failures.length).toBeGreaterThan(0);

    // Every acknowledged write is there, exactly as acknowledged.
    for (const [id, contextId] of ackedTasks) {
      const task = await stores.taskStore.load(id, ctx);
      expect(task?.contextId, id).toBe(contextId);
    }
    for (const [taskId, configId] of ackedConfigs) {
      const configs = await stores.pushNotificationStore.load(taskId, ctx);
      expect(configs.map((c) => c.id)).toContain(configId);
    }
    // The counters went through the crash with the rows: totals are still exact.
    const all = await stores.taskStore.list(listRequest({ pageSize: 100 }), ctx);
    let listed = all.tasks.length;
    let token = all.nextPageToken;
    while (token) {
      const page = await stores.taskStore.list(
        listRequest({ pageSize: 100, pageToken: token }),
        ctx,
      );
      listed += page.tasks.length;
      token = page.nextPageToken;
    }
    expect(all.totalSize).toBe(listed);
    expect(listed).toBeGreaterThanOrEqual(ackedTasks.size);
  }, 180_000);
});
