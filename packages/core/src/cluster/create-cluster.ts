import type {
  A2ARequestHandler,
  PushNotificationSender,
  ServerCallContext,
} from '@a2a-js/sdk/server';
import { resolveScope } from '../scope.js';
import { CancelRouter } from './cancel-router.js';
import { ClusterRequestHandler } from './cluster-request-handler.js';
import { ClusterEventBusManager } from './event-bus-manager.js';
import { instrumentBackend } from './instrumented-backend.js';
import { leaseKey } from './keys.js';
import { OncePushNotificationSender } from './once-push-sender.js';
import { type ClusterOptions, resolveClusterOptions } from './options.js';
import { RecoverySweeper } from './recovery.js';
import type { ClusterRuntime } from './runtime.js';
import { type ClusterStats, emptyStats } from './stats.js';

/** Who runs a task, as any worker sees it (`cluster.describeLease`). */
export interface LeaseDescription {
  /** Worker id of the holder. */
  readonly holder: string;
  /** Whether the holder renewed it within the lease length (judged on the backend's clock). */
  readonly live: boolean;
  readonly expiresAt: number;
  /** Whether the holder is this worker. */
  readonly self: boolean;
}

/** One worker of a cluster. See {@link createCluster}. */
export interface Cluster {
  readonly workerId: string;
  /** Pass to `DefaultRequestHandler` as its `eventBusManager`. */
  readonly eventBusManager: ClusterEventBusManager;
  /** Wraps the worker's `DefaultRequestHandler` (the one built with `eventBusManager`). */
  wrap(inner: A2ARequestHandler): ClusterRequestHandler;
  /** Wraps the push sender so each event is POSTed once per config, by this worker only. */
  pushSender(inner: PushNotificationSender): PushNotificationSender;
  /** Subscribes to this worker's command channel and starts the orphan sweeper. */
  start(): Promise<void>;
  /** Stops sweeping and listening; running executions' leases expire and are recovered elsewhere. */
  close(): Promise<void>;
  /** Who runs `taskId` in the caller's scope; undefined when no lease exists. */
  describeLease(taskId: string, context: ServerCallContext): Promise<LeaseDescription | undefined>;
  /** Runs one orphan sweep now; resolves with the number of expired leases handled. */
  sweep(): Promise<number>;
  stats(): ClusterStats;
}

/**
 * Makes this process one worker of an agent that runs as several processes on one store. The
 * worker holding a task's lease runs it; its events reach subscribers on every worker, cancel
 * reaches its executor from any worker, push notifications leave once, and a task whose worker
 * died is recovered by the `recovery` policy after about `leaseTtlMs + sweepIntervalMs`.
 *
 * @example
 * ```ts
 * import { DefaultRequestHandler } from '@a2a-js/sdk/server';
 * import {
 *   createCluster, createMemoryCoordination, createMemoryStores, defaultScopeResolver,
 * } from '@a2a-stores/core';
 * const scopeResolver = defaultScopeResolver();
 * const { taskStore, pushNotificationStore } = createMemoryStores({ scopeResolver });
 * const backend = createMemoryCoordination().connect();
 * const cluster = createCluster({ backend, taskStore, scopeResolver });
 * const handler = cluster.wrap(
 *   new DefaultRequestHandler(card, taskStore, executor, cluster.eventBusManager,
 *     pushNotificationStore, cluster.pushSender(sender)),
 * );
 * await cluster.start();
 * // ... serve handler; on shutdown:
 * await cluster.close();
 * ```
 */
export function createCluster(options: ClusterOptions): Cluster {
  const given = resolveClusterOptions(options);
  // Every engine call goes through the wrapper, so every transport gets spans without code.
  const instrumented = instrumentBackend(given.backend);
  const resolved = { ...given, backend: instrumented.backend };
  const runtime: ClusterRuntime = {
    options: resolved,
    stats: emptyStats(),
    channelUp: true,
    count: instrumented.count,
  };
  const manager = new ClusterEventBusManager(runtime);
  const router = new CancelRouter(runtime, manager);
  let sender: PushNotificationSender | undefined;
  const sweeper = new RecoverySweeper(runtime, manager, () => sender);
  let stopChannelState: (() => void) | undefined;
  let started = false;

  return {
    workerId: resolved.workerId,
    eventBusManager: manager,
    wrap(inner) {
      if (typeof inner?.cancelTask !== 'function') {
        throw new TypeError('wrap() needs an A2ARequestHandler');
      }
      // Cancel requests from other workers take the SDK's own local path, with the context
      // that started the execution (its scope, its user).
      router.setCanceler(async (execution) => {
        await inner.cancelTask(
          { tenant: execution.context.tenant ?? '', id: execution.taskId, metadata: {} },
          execution.context,
        );
      });
      return new ClusterRequestHandler(inner, runtime, manager, router);
    },
    pushSender(inner) {
      sender = new OncePushNotificationSender(inner, resolved.scopeResolver, runtime.stats);
      return sender;
    },
    async start() {
      if (started) return;
      started = true;
      stopChannelState = resolved.backend.onChannelState?.((state) => {
        runtime.channelUp = state === 'up';
        // Subscribers waiting on other workers would wait for events that cannot arrive.
        if (state === 'down') manager.finishProxies();
      });
      await router.start();
      sweeper.start();
    },
    async close() {
      stopChannelState?.();
      await sweeper.stop();
      manager.dispose();
      await router.close();
    },
    async describeLease(taskId, context) {
      const key = leaseKey(resolveScope(resolved.scopeResolver, context), taskId);
      const lease = await resolved.backend.readLease(key);
      if (!lease) return undefined;
      return {
        holder: lease.holder,
        live: lease.live,
        expiresAt: lease.expiresAt,
        self: lease.holder === resolved.workerId,
      };
    },
    sweep: () => sweeper.sweep(),
    stats() {
      const counts = manager.counts();
      return {
        ...runtime.stats,
        recovered: { ...runtime.stats.recovered },
        localExecutions: counts.running,
        remoteProxies: counts.proxies,
      };
    },
  };
}
