import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DefaultRequestHandler, ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import {
  type CoordinationBackend,
  createCluster,
  createMemoryStores,
  defaultScopeResolver,
} from '@a2a-stores/core';
import { BenchExecutor, CARD, message, until, within } from './bench-agent.js';
import { type BackendCallCounts, countingBackend, zeroCounts } from './counting-backend.js';

export interface LeaseTrafficResult {
  readonly events: number;
  readonly durationMs: number;
  readonly renewIntervalMs: number;
  /** Backend calls of the one task, from its send until its lease is released. */
  readonly perTask: BackendCallCounts;
}

/**
 * Counts the coordination calls one task's execution makes on one worker: `events` status
 * updates spread over `durationMs`, then a cancel on the same worker ends it. The worker's own
 * sweep is pushed out of the window (it is per worker, not per task).
 */
export async function measureLeaseTraffic(
  createBackend: () => CoordinationBackend | Promise<CoordinationBackend>,
  events: number,
  durationMs: number,
  leaseTtlMs: number,
): Promise<LeaseTrafficResult> {
  const renewIntervalMs = leaseTtlMs / 3;
  const scopeResolver = defaultScopeResolver({ logger: { warn: () => undefined } });
  const { taskStore } = createMemoryStores({ scopeResolver });
  const counts = zeroCounts();
  const backend = countingBackend(await createBackend(), counts);
  const cluster = createCluster({
    backend,
    taskStore,
    scopeResolver,
    leaseTtlMs,
    renewIntervalMs,
    sweepIntervalMs: 3_600_000,
    logger: { warn: () => undefined },
  });
  const executor = new BenchExecutor();
  const handler = cluster.wrap(
    new DefaultRequestHandler(CARD, taskStore, executor, cluster.eventBusManager),
  );
  try {
    await cluster.start();
    const before = { ...counts };
    const ctx = new ServerCallContext({
      tenant: `bench-${randomUUID()}`,
      user: new UnauthenticatedUser(),
    });
    const stream = handler.sendMessageStream(
      { tenant: '', message: message(), configuration: undefined, metadata: {} },
      ctx,
    );
    const draining = (async () => {
      for await (const _ of stream) {
        // Drained so the SDK's consumer keeps up; the stream ends at CANCELED.
      }
    })();
    draining.catch(() => undefined);
    await until(() => executor.buses.size === 1 && counts.acquireLease > before.acquireLease);
    const taskId = [...executor.buses.keys()][0]!;
    // The spacing is the workload (a task that lasts durationMs), not a wait for a condition.
    for (let e = 0; e < events; e += 1) {
      await delay(durationMs / events);
      executor.emit(taskId);
    }
    await within(handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx), 'cancel');
    await within(draining, 'end of the sender stream');
    await until(() => counts.releaseLease > before.releaseLease);
    const perTask = zeroCounts();
    for (const key of Object.keys(perTask) as (keyof BackendCallCounts)[]) {
      perTask[key] = counts[key] - before[key];
    }
    return { events, durationMs, renewIntervalMs, perTask };
  } finally {
    await cluster.close();
    await backend.close();
  }
}
