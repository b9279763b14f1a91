import type {
  ExecutionEventBus,
  ExecutionEventBusManager,
  ServerCallContext,
} from '@a2a-js/sdk/server';
import { resolveScope } from '../scope.js';
import { leaseKey } from './keys.js';
import { LocalExecution } from './local-execution.js';
import { RemoteTaskProxy } from './remote-proxy.js';
import type { ClusterRuntime } from './runtime.js';

/**
 * The SDK's `ExecutionEventBusManager` for a worker of a cluster. Buses are keyed by the scope
 * (from the stores' resolver) and task id, so two tenants' equal task ids never share a bus.
 * `createOrGetByTaskId` means "this worker runs an execution": it takes the task's lease and
 * relays every event to the task channel. `getByTaskId` answers with the running local bus, or
 * with a proxy replaying another worker's execution while a subscriber here waits on it.
 * Made by `createCluster`; pass `cluster.eventBusManager` to `DefaultRequestHandler`.
 */
export class ClusterEventBusManager implements ExecutionEventBusManager {
  readonly #runtime: ClusterRuntime;
  readonly #local = new Map<string, LocalExecution>();
  readonly #proxies = new Map<string, RemoteTaskProxy>();

  constructor(runtime: ClusterRuntime) {
    this.#runtime = runtime;
  }

  /** The lease key of a call's task (throws `ScopeResolutionError` like the stores). */
  keyOf(taskId: string, context: ServerCallContext | undefined): string {
    // resolveScope refuses a missing context, as the stores do.
    const scope = resolveScope(this.#runtime.options.scopeResolver, context as ServerCallContext);
    return leaseKey(scope, taskId);
  }

  createOrGetByTaskId(taskId: string, context?: ServerCallContext): ExecutionEventBus {
    const scope = resolveScope(this.#runtime.options.scopeResolver, context as ServerCallContext);
    const key = leaseKey(scope, taskId);
    let execution = this.#local.get(key);
    if (!execution) {
      execution = new LocalExecution(
        this.#runtime,
        key,
        scope,
        taskId,
        context as ServerCallContext,
      );
      this.#local.set(key, execution);
    }
    execution.begin(context);
    return execution.bus;
  }

  getByTaskId(taskId: string, context?: ServerCallContext): ExecutionEventBus | undefined {
    const key = this.keyOf(taskId, context);
    const execution = this.#local.get(key);
    // A bus the SDK keeps alive for input-required runs nothing: a subscriber or a cancel
    // waiting on it would wait for an executor that is not there (or runs on another worker).
    if (execution?.running) return execution.bus;
    const proxy = this.#proxies.get(key);
    return proxy && !proxy.finished ? proxy.bus : undefined;
  }

  cleanupByTaskId(taskId: string, context?: ServerCallContext): void {
    const key = this.keyOf(taskId, context);
    const execution = this.#local.get(key);
    if (!execution) return;
    execution.dispose();
    execution.bus.removeAllListeners();
    this.#local.delete(key);
  }

  /**
   * Publishes `end` and drops the lease; declines ownership so the SDK's policy applies, except
   * for the settle of a replaced parked run.
   */
  settleByTaskId(
    taskId: string,
    eventBus: ExecutionEventBus,
    lastObservedState: number | undefined,
    context?: ServerCallContext,
  ): boolean {
    const execution = this.#local.get(this.keyOf(taskId, context));
    if (execution?.bus !== eventBus) return false;
    // The late settle of a parked run a newer run replaced: the SDK would finish the bus the
    // newer run publishes on; owning the decision keeps it.
    if (execution.supersededCaller(context)) return true;
    void execution.settle(lastObservedState);
    return false;
  }

  /** The execution of `key` running on this worker, if any. */
  running(key: string): LocalExecution | undefined {
    const execution = this.#local.get(key);
    return execution?.running ? execution : undefined;
  }

  /**
   * A live proxy for `key`, shared by every subscriber here (refcounted). Resolves once it is
   * subscribed to the task channel; the caller must `release()` it.
   */
  async retainProxy(key: string): Promise<RemoteTaskProxy> {
    const existing = this.#proxies.get(key);
    if (existing && !existing.finished) {
      existing.retain();
      try {
        await existing.open();
      } catch (error) {
        existing.release();
        throw error;
      }
      return existing;
    }
    const proxy = new RemoteTaskProxy(this.#runtime, key, () => {
      if (this.#proxies.get(key) === proxy) this.#proxies.delete(key);
    });
    proxy.retain();
    this.#proxies.set(key, proxy);
    try {
      await proxy.open();
    } catch (error) {
      proxy.finish();
      throw error;
    }
    return proxy;
  }

  /** Ends the proxy of `key`, if any: its execution is known to be over. */
  finishProxy(key: string): void {
    this.#proxies.get(key)?.finish();
  }

  /** Ends every proxy: their subscribers' streams end (channel down, close). */
  finishProxies(): void {
    for (const proxy of [...this.#proxies.values()]) proxy.finish();
  }

  counts(): { local: number; running: number; proxies: number } {
    let running = 0;
    for (const execution of this.#local.values()) if (execution.running) running += 1;
    return { local: this.#local.size, running, proxies: this.#proxies.size };
  }

  /** Stops renewals (shutdown): leases then expire and other workers recover the tasks. */
  dispose(): void {
    for (const execution of this.#local.values()) execution.dispose();
    this.finishProxies();
  }
}
