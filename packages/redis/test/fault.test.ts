import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  listRequest,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { type RedisInstance, startRedisInstance, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStoreBundle } from '../src/index.js';

const WRITERS = 8;
/** Acknowledged writes before the kill, so the crash lands in the middle of a steady load. */
const ACKS_BEFORE_KILL = 300;

let server: RedisInstance;
let stores: RedisStoreBundle;

beforeAll(async () => {
  server = await startRedisInstance({ appendfsync: 'always' });
  stores = createRedisStores({ url: server.url }, { keyPrefix: 'fault:', logger: silentLogger() });
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await server?.stop();
});

describe('a Redis with AOF appendfsync always, killed with SIGKILL mid-load', () => {
  it('loses no acknowledged write, fails calls with StoreUnavailableError, and recovers', async () => {
    expect(await stores.client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    const ctx = callContext(randomScope());
    const ids = Array.from({ length: WRITERS }, (_, i) => `writer-${i}`);
    const acked = new Array<number>(WRITERS).fill(0);
    const attempted = new Array<number>(WRITERS).fill(0);
    const failures: unknown[] = [];
    let acksAfterRestart = 0;
    let restarted = false;
    let stop = false;

    // Each writer saves its own task with an increasing counter; a resolved save is an ack.
    const writers = Promise.all(
      ids.map(async (id, w) => {
        while (!stop) {
          const n = attempted[w]! + 1;
          attempted[w] = n;
          try {
            await stores.taskStore.save(makeTask({ id, metadata: { n } }), ctx);
            acked[w] = n;
            if (restarted) acksAfterRestart++;
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );

    const totalAcks = () => acked.reduce((a, b) => a + b, 0);
    // Raced with the writers, which then have a handler: a writer that fails would fail the test
    // (here or at the final await), never be an unhandled rejection during the outage.
    await Promise.race([
      waitFor(
        `${ACKS_BEFORE_KILL} acknowledged writes`,
        async () => totalAcks() >= ACKS_BEFORE_KILL,
        60_000,
      ),
      writers,
    ]);
    await server.kill('SIGKILL');
    const ackedAtKill = [...acked];

    // During the outage: typed errors, no hang.
    await expect(stores.taskStore.load(ids[0]!, ctx)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(
      stores.taskStore.save(makeTask({ id: 'during-outage' }), ctx),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.taskStore.list(listRequest(), ctx)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );

    await server.restart();
    restarted = true;
    // Recovery happens on its own: the client reconnects, the writers' saves succeed again.
    await waitFor(
      'writes to succeed after the restart',
      async () => acksAfterRestart >= WRITERS * 5,
      60_000,
    );
    stop = true;
    await writers;

    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toBeInstanceOf(StoreUnavailableError);

    // Every acknowledged counter is stored (a write that failed may or may not have landed).
    for (const [w, id] of ids.entries()) {
      const stored = await stores.taskStore.load(id, ctx);
      const n = (stored?.metadata as { n?: number } | undefined)?.n ?? 0;
      expect(n).toBeGreaterThanOrEqual(acked[w]!);
      expect(n).toBeLessThanOrEqual(attempted[w]!);
      expect(acked[w]!).toBeGreaterThan(ackedAtKill[w]!);
    }
    const page = await stores.taskStore.list(listRequest(), ctx);
    expect(page.totalSize).toBe(WRITERS);
  });

  it('survives a kill right after acknowledging: the AOF replays every acknowledged write', async () => {
    const ctx = callContext(randomScope());
    const tasks = Array.from({ length: 50 }, (_, i) =>
      makeTask({ id: `acked-${i}`, metadata: { i } }),
    );
    await Promise.all(tasks.map((task) => stores.taskStore.save(task, ctx)));
    await server.kill('SIGKILL');
    await server.restart();
    await waitFor(
      'the stores to reconnect',
      async () => (await stores.taskStore.load(tasks[0]!.id, ctx)) !== undefined,
      30_000,
    );
    for (const task of tasks) {
      expect((await stores.taskStore.load(task.id, ctx))?.metadata).toEqual(task.metadata);
    }
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(tasks.length);
  });
});
