import { randomUUID } from 'node:crypto';
import { DefaultRequestHandler, ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import {
  type Cluster,
  type ClusterRequestHandler,
  type CoordinationBackend,
  createCluster,
  createMemoryStores,
  defaultScopeResolver,
} from '@a2a-stores/core';
import { quantile } from '../stats.js';
import { BenchExecutor, CARD, message, until, within } from './bench-agent.js';

/** p50/p99 in milliseconds of one measured path. */
export interface PathLatency {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ClusterLatencyResult {
  readonly transport: string;
  /** Event published by the executor on A until a subscriber's stream on C yields it. */
  readonly crossWorkerEvent: PathLatency;
  /** The same, subscriber on A (one process, the SDK's local bus). */
  readonly localEvent: PathLatency;
  /** CancelTask called on B until A's executor's cancelTask runs. */
  readonly crossWorkerCancel: PathLatency;
  /** The same, cancel called on A. */
  readonly localCancel: PathLatency;
}

interface Worker {
  readonly cluster: Cluster;
  readonly handler: ClusterRequestHandler;
  readonly executor: BenchExecutor;
}

function summary(samples: number[]): PathLatency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/**
 * Measures cross-worker event and cancel latency over `createBackend()` backends (three
 * workers, one process, one shared memory task store), next to the same paths on one worker.
 * Each transport's owner can pass its own backend factory.
 */
export async function measureClusterLatency(
  transport: string,
  createBackend: () => CoordinationBackend | Promise<CoordinationBackend>,
  tasks = 50,
  eventsPerTask = 20,
): Promise<ClusterLatencyResult> {
  const scopeResolver = defaultScopeResolver({ logger: { warn: () => undefined } });
  const { taskStore } = createMemoryStores({ scopeResolver });
  const backends: CoordinationBackend[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < 3; i += 1) {
    const backend = await createBackend();
    backends.push(backend);
    const cluster = createCluster({
      backend,
      taskStore,
      scopeResolver,
      logger: { warn: () => undefined },
    });
    const executor = new BenchExecutor();
    const handler = cluster.wrap(
      new DefaultRequestHandler(CARD, taskStore, executor, cluster.eventBusManager),
    );
    await cluster.start();
    workers.push({ cluster, handler, executor });
  }
  const [a, b, c] = workers as [Worker, Worker, Worker];
  const samples = {
    crossEvent: [] as number[],
    localEvent: [] as number[],
    crossCancel: [] as number[],
    localCancel: [] as number[],
  };
  try {
    for (let t = 0; t < tasks; t += 1) {
      for (const remote of [true, false]) {
        const ctx = new ServerCallContext({
          tenant: `bench-${randomUUID()}`,
          user: new UnauthenticatedUser(),
        });
        const stream = a.handler.sendMessageStream(
          { tenant: '', message: message(), configuration: undefined, metadata: {} },
          ctx,
        );
        const first = await within(stream.next(), 'first streamed event');
        const taskId =
          first.value && 'payload' in first.value && first.value.payload?.$case === 'task'
            ? first.value.payload.value.id
            : '';
        const draining = (async () => {
          for await (const _ of stream) {
            // Drained so the SDK's consumer keeps up; the stream ends at CANCELED.
          }
        })();
        draining.catch(() => undefined);
        await until(
          async () =>
            a.executor.buses.has(taskId) &&
            (await a.cluster.describeLease(taskId, ctx))?.live === true,
        );
        const subscriberOn = remote ? c : a;
        const received: number[] = [];
        let joined = false;
        const subscription = subscriberOn.handler.resubscribe({ tenant: '', id: taskId }, ctx);
        const watching = (async () => {
          for await (const event of subscription) {
            joined = true;
            const sentAt =
              event.payload?.$case === 'statusUpdate'
                ? event.payload.value.metadata?.sentAt
                : undefined;
            if (typeof sentAt === 'number') received.push(performance.now() - sentAt);
          }
        })();
        watching.catch(() => undefined);
        // The snapshot comes after the subscriber's queue is attached (locally or via the proxy).
        await until(() => joined);
        for (let e = 0; e < eventsPerTask; e += 1) {
          const before = received.length;
          a.executor.emit(taskId);
          await until(() => received.length > before);
        }
        (remote ? samples.crossEvent : samples.localEvent).push(...received);
        const canceller = remote ? b : a;
        const started = performance.now();
        await within(
          canceller.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx),
          `cancel on ${remote ? 'B' : 'A'}`,
        );
        const stoppedAt = a.executor.canceledAt.get(taskId);
        if (stoppedAt === undefined)
          throw new Error("bench: the cancel did not reach A's executor");
        (remote ? samples.crossCancel : samples.localCancel).push(stoppedAt - started);
        await within(draining, 'end of the sender stream');
        await within(watching, `end of the subscriber stream on ${remote ? 'C' : 'A'}`);
      }
    }
  } finally {
    for (const worker of workers) await worker.cluster.close();
    for (const backend of backends) await backend.close();
  }
  return {
    transport,
    crossWorkerEvent: summary(samples.crossEvent),
    localEvent: summary(samples.localEvent),
    crossWorkerCancel: summary(samples.crossCancel),
    localCancel: summary(samples.localCancel),
  };
}
