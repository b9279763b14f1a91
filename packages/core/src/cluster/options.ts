import { randomUUID } from 'node:crypto';
import type { Task } from '@a2a-js/sdk';
import {
  ServerCallContext as CallContext,
  type ServerCallContext,
  type TaskStore,
  UnauthenticatedUser,
} from '@a2a-js/sdk/server';
import type { StoreLogger } from '../hooks.js';
import type { Scope, ScopeResolver } from '../scope.js';
import type { CoordinationBackend } from './coordination-backend.js';

/**
 * What the sweeper does with a task whose lease expired while it was submitted or working:
 * `'fail'` (default) saves it FAILED with an explanatory status message; `{ resume }` hands it
 * to a callback that may run it again on this worker (e.g. by sending it a message through the
 * wrapped handler, which takes the lease); `'leave'` only ends subscribers and drops the lease.
 */
export type RecoveryPolicy =
  | 'fail'
  | 'leave'
  | { readonly resume: (task: Task, context: ServerCallContext) => Promise<unknown> };

/** Options of `createCluster`. */
export interface ClusterOptions {
  /** The transport shared by every worker of the agent. */
  readonly backend: CoordinationBackend;
  /** The task store the wrapped `DefaultRequestHandler` uses (versioned saves when it has them). */
  readonly taskStore: TaskStore;
  /** The resolver the stores were opened with. */
  readonly scopeResolver: ScopeResolver;
  /** Unique per process; default a random UUID. Appears in channel names, never in clear scopes. */
  readonly workerId?: string;
  /** Lease length: a dead worker's tasks are recovered after about ttl + sweep. Default 15000. */
  readonly leaseTtlMs?: number;
  /** Renewal (and subscriber watchdog) period; default ttl / 3. Must be below the ttl. */
  readonly renewIntervalMs?: number;
  /** How often this worker looks for expired leases; default 5000. */
  readonly sweepIntervalMs?: number;
  /** Expired leases claimed per sweep; default 32. */
  readonly sweepBatch?: number;
  /** See {@link RecoveryPolicy}; default `'fail'`. */
  readonly recovery?: RecoveryPolicy;
  /**
   * How long a cancel routed to another worker waits for its answer while that worker keeps
   * renewing its lease; default 10000. A holder that stops renewing is waited on only until its
   * lease expires (plus a margin), then the task is canceled in the store.
   */
  readonly cancelTimeoutMs?: number;
  /**
   * How long a subscriber of a submitted/working task waits for its execution's lease to appear
   * (an execution whose lease is still being acquired, or a run that just ended and is still
   * saving), and a follow-up to a task waiting for input waits for the previous run to give its
   * lease up. Default: `renewIntervalMs`.
   */
  readonly leaseWaitMs?: number;
  /**
   * The call context recovery reads and writes a lease's task with. Default: `context.tenant` =
   * scope tenant, an authenticated user named after the owner (`''` → unauthenticated): right
   * for the default scope resolver. The engine checks the resolver maps it back to the scope.
   */
  readonly contextForScope?: (scope: Scope) => ServerCallContext;
  /** Receives warnings (lease lost, degraded relay, dropped envelopes); never task content. */
  readonly logger?: StoreLogger;
}

export interface ResolvedClusterOptions {
  readonly backend: CoordinationBackend;
  readonly taskStore: TaskStore;
  readonly scopeResolver: ScopeResolver;
  readonly workerId: string;
  readonly leaseTtlMs: number;
  readonly renewIntervalMs: number;
  readonly sweepIntervalMs: number;
  readonly sweepBatch: number;
  readonly recovery: RecoveryPolicy;
  readonly cancelTimeoutMs: number;
  readonly leaseWaitMs: number;
  readonly contextForScope: (scope: Scope) => ServerCallContext;
  readonly logger: StoreLogger;
}

class NamedUser {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.#name;
  }
}

/** The context the default scope resolver maps to `scope`. */
export function defaultContextForScope(scope: Scope): ServerCallContext {
  return new CallContext({
    tenant: scope.tenant,
    user: scope.owner === '' ? new UnauthenticatedUser() : new NamedUser(scope.owner),
  });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

const consoleLogger: StoreLogger = {
  warn: (message, details) => console.warn(message, details ?? ''),
};

export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (!options?.backend) throw new TypeError('backend is required');
  if (!options.taskStore) throw new TypeError('taskStore is required');
  if (typeof options.scopeResolver !== 'function') {
    throw new TypeError('scopeResolver must be the scope resolver the stores use');
  }
  const leaseTtlMs = positive('leaseTtlMs', options.leaseTtlMs, 15_000);
  const renewIntervalMs = positive('renewIntervalMs', options.renewIntervalMs, leaseTtlMs / 3);
  if (renewIntervalMs >= leaseTtlMs) {
    throw new TypeError('renewIntervalMs must be shorter than leaseTtlMs');
  }
  const recovery = options.recovery ?? 'fail';
  if (
    recovery !== 'fail' &&
    recovery !== 'leave' &&
    typeof (recovery as { resume?: unknown })?.resume !== 'function'
  ) {
    throw new TypeError("recovery must be 'fail', 'leave' or { resume(task, context) }");
  }
  const workerId = options.workerId ?? randomUUID();
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(workerId)) {
    throw new TypeError('workerId must be 1-128 characters of [A-Za-z0-9._:-]');
  }
  return {
    backend: options.backend,
    taskStore: options.taskStore,
    scopeResolver: options.scopeResolver,
    workerId,
    leaseTtlMs,
    renewIntervalMs,
    sweepIntervalMs: positive('sweepIntervalMs', options.sweepIntervalMs, 5_000),
    sweepBatch: Math.floor(positive('sweepBatch', options.sweepBatch, 32)),
    recovery,
    cancelTimeoutMs: positive('cancelTimeoutMs', options.cancelTimeoutMs, 10_000),
    leaseWaitMs: positive('leaseWaitMs', options.leaseWaitMs, renewIntervalMs),
    contextForScope: options.contextForScope ?? defaultContextForScope,
    logger: options.logger ?? consoleLogger,
  };
}
