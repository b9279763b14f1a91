import type { Task } from '@a2a-js/sdk';
import type { PushNotificationStore, ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { StoreHealth } from './health.js';
import type { Scope } from './scope.js';

/** A task with the version its compare-and-set must quote. */
export interface VersionedTask {
  readonly task: Task;
  /** Positive integer; every successful write increments it. */
  readonly version: number;
}

/** Operator-level retention across scopes. */
export interface PurgeOptions {
  /** Purge tasks whose last write was before this instant. */
  readonly olderThan: Date;
  /**
   * States eligible for purging. Default: the terminal states (completed, failed, canceled,
   * rejected); input-required and auth-required tasks are never purged unless listed here.
   */
  readonly states?: readonly number[];
  /** Rows deleted per statement, so no lock is held long. Default 500. */
  readonly batchSize?: number;
  /** Restrict to one scope (tests, per-tenant retention). Default: every scope. */
  readonly scope?: Scope;
  /**
   * Called after each batch with the total deleted so far (progress for long purges).
   * Exceptions it throws are swallowed.
   */
  readonly onProgress?: (deletedSoFar: number) => void;
}

export interface PurgeResult {
  /** Tasks deleted (their push configs went with them). */
  readonly deleted: number;
}

/**
 * The SDK's `TaskStore` plus what production storage needs. Every method filters by the scope the
 * store's resolver derives from `context`.
 */
export interface ScopedTaskStore extends TaskStore {
  /** Deletes the task and its push configs. Resolves true when something was deleted. */
  delete(taskId: string, context: ServerCallContext): Promise<boolean>;
  loadVersioned(taskId: string, context: ServerCallContext): Promise<VersionedTask | undefined>;
  /**
   * Writes only if the stored version is `expectedVersion` (`null`: only if the task does not
   * exist). Resolves the new version; throws `VersionConflictError` or `StaleWriteError`.
   */
  saveIfVersion(
    task: Task,
    context: ServerCallContext,
    expectedVersion: number | null,
  ): Promise<number>;
  purge(options: PurgeOptions): Promise<PurgeResult>;
}

/** The SDK's `PushNotificationStore` with the optional parts made mandatory, plus `deleteAll`. */
export interface ScopedPushNotificationStore extends PushNotificationStore {
  loadWithMetadata: NonNullable<PushNotificationStore['loadWithMetadata']>;
  /** Deletes every push config of the task. */
  deleteAll(taskId: string, context: ServerCallContext): Promise<void>;
}

/** Result of a `migrate()` call. */
export interface MigrationResult {
  /** Migration ids applied by this call, in order (empty when already up to date). */
  readonly applied: readonly string[];
  /** Every migration id the schema now has. */
  readonly current: readonly string[];
}

/** What every adapter factory returns. */
export interface StoreBundle<
  T extends ScopedTaskStore = ScopedTaskStore,
  P extends ScopedPushNotificationStore = ScopedPushNotificationStore,
> {
  readonly taskStore: T;
  readonly pushNotificationStore: P;
  /** Creates or upgrades the schema; idempotent and safe to run from several workers. */
  migrate(): Promise<MigrationResult>;
  /** Releases only the resources the factory created (never a pool or client you passed in). */
  close(): Promise<void>;
  /**
   * Reachability, schema currency and latency in one round trip; never throws (an unhealthy
   * store is a result). Every adapter of this repository provides it; optional for third-party
   * bundles written before it existed.
   */
  health?(): Promise<StoreHealth>;
}
