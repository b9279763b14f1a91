import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { type MariadbInstance, startMariadbInstance, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores } from '../src/index.js';

const WRITERS = 8;
const ACKS_BEFORE_KILL = 150;

let server: MariadbInstance | undefined;
let stores: MysqlStores | undefined;

beforeAll(async () => {
  // Its own mariadbd (own datadir, free loopback port, fsync at every commit): killing it
  // disturbs no other test.
  server = await startMariadbInstance();
  stores = createMysqlStores(
    { uri: server.url, poolOptions: { connectionLimit: WRITERS + 2 } },
    { tablePrefix: 'fault_', pushUrlCheck: conformancePushUrlCheck() },
  );
  await stores.migrate();
}, 120_000);

afterAll(async () => {
  await stores?.close();
  await server?.destroy();
});

interface Ledger {
  /** Tasks whose insert was acknowledged. */
  readonly tasks: Set<string>;
  /** Push configs whose save was acknowledged, by task. */
  readonly configs: Map<string, string>;
  /** Per writer: the last acknowledged step of its counter task, and the one in flight. */
  readonly counters: Map<string, { acked: number; attempted: number }>;
  readonly errors: unknown[];
}

describe('a MariaDB killed with SIGKILL mid-load, then restarted', () => {
  it('fails calls with typed errors during the outage, recovers, and loses no acknowledged write', async () => {
    const s = stores!;
    const ctx = callContext(randomScope());
    const ledger: Ledger = {
      tasks: new Set(),
      configs: new Map(),
      counters: new Map(),
      errors: [],
    };
    let acks = 0;
    let reachedKillPoint!: () => void;
    const killPoint = new Promise<void>((resolve) => {
      reachedKillPoint = resolve;
    });
    const ack = () => {
      if (++acks === ACKS_BEFORE_KILL) reachedKillPoint();
    };

    // Each writer inserts new tasks, registers push configs (a transaction) and moves its own
    // counter task forward by compare-and-set, until its first failure.
    const writer = async (w: number) => {
      const counterId = `counter-${w}`;
      let version = await s.taskStore.saveIfVersion(
        makeTask({ id: counterId, metadata: { step: 0 } }),
        ctx,
        null,
      );
      const counter = { acked: 0, attempted: 0 };
      ledger.counters.set(counterId, counter);
      try {
        for (let n = 1; ; n++) {
          const id = `w${w}-task-${n}`;
          await s.taskStore.save(makeTask({ id }), ctx);
          ledger.tasks.add(id);
          ack();
          if (n % 4 === 0) {
            const config = makePushConfig(id, { id: `hook-${n}` });
            await s.pushNotificationStore.save(id, ctx, config);
            ledger.configs.set(id, config.id);
            ack();
          }
          counter.attempted = n;
          version = await s.taskStore.saveIfVersion(
            makeTask({ id: counterId, metadata: { step: n } }),
            ctx,
            version,
          );
          counter.acked = n;
          ack();
        }
      } catch (error) {
        ledger.errors.push(error);
      }
    };
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    // Raced with the writers, so one failing before the kill point fails the test here instead of
    // being an unhandled rejection while the test waits.
    await Promise.race([killPoint, writers]);
    await server!.kill();
    await writers;

    // Every writer stopped on a failure, and every failure is the typed one.
    expect(ledger.errors).toHaveLength(WRITERS);
    for (const error of ledger.errors) expect(error).toBeInstanceOf(StoreUnavailableError);

    // While the server is down, every kind of call fails with StoreUnavailableError.
    const outage: Array<() => Promise<unknown>> = [
      () => s.taskStore.load('w0-task-1', ctx),
      () => s.taskStore.save(makeTask(), ctx),
      () => s.taskStore.saveIfVersion(makeTask(), ctx, null),
      () => s.taskStore.list(listRequest(), ctx),
      () => s.taskStore.delete('w0-task-1', ctx),
      () => s.pushNotificationStore.save('w0-task-1', ctx, makePushConfig('w0-task-1')),
      () => s.pushNotificationStore.load('w0-task-1', ctx),
      () => s.migrate(),
    ];
    for (const call of outage) {
      await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
    }

    await server!.restart();
    // The same stores recover on their own once the server is back (dead pool connections are
    // dropped as they are found).
    await waitFor('the stores to serve again after restart', async () => {
      await s.taskStore.load('w0-task-1', ctx);
      return true;
    });

    expect(ledger.tasks.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL / 3);
    const listed = await s.taskStore.list(listRequest({ pageSize: 1 }), ctx);
    expect(listed.totalSize).toBeGreaterThanOrEqual(ledger.tasks.size + WRITERS);
    for (const id of ledger.tasks) {
      expect((await s.taskStore.load(id, ctx))?.id, `acknowledged task ${id}`).toBe(id);
    }
    for (const [taskId, configId] of ledger.configs) {
      const configs = await s.pushNotificationStore.load(taskId, ctx);
      expect(
        configs.map((c) => c.id),
        `acknowledged push config of ${taskId}`,
      ).toContain(configId);
    }
    for (const [counterId, counter] of ledger.counters) {
      const stored = await s.taskStore.loadVersioned(counterId, ctx);
      const step = stored?.task.metadata?.step;
      // The acknowledged step, or the one in flight at the kill if its commit reached the log.
      expect([counter.acked, counter.attempted], `counter ${counterId}`).toContain(step);
      expect(stored?.version).toBe(Number(step) + 1);
    }

    console.info(
      `[mysql faults] acknowledged before the kill: ${ledger.tasks.size} tasks, ${ledger.configs.size} push configs, ${ledger.counters.size} CAS counters; all found after restart, lost 0`,
    );

    // And it takes writes again.
    const after = makeTask();
    await s.taskStore.save(after, ctx);
    expect((await s.taskStore.load(after.id, ctx))?.id).toBe(after.id);
  }, 180_000);
});
