import { type ListTasksRequest, type TaskPushNotificationConfig, TaskState } from '@a2a-js/sdk';
import type { StoredPushNotificationConfig } from '@a2a-js/sdk/server';
import {
  CorruptRecordError,
  InvalidInputError,
  type Scope,
  type ScopedPushNotificationStore,
  type ScopedTaskStore,
  StaleWriteError,
  VersionConflictError,
} from '@a2a-stores/core';
import { EnvelopeRewrapper } from './rewrap.js';
import { defaultScopeContext, type ScopeContextFactory } from './rotation-context.js';
import type { EncryptedStoreBundle } from './with-envelope-encryption.js';

/** Where a rotation stopped: pass it as `resumeFrom` to carry on from there. */
export interface RotationCheckpoint {
  /** Position in `scopes` of the scope to continue with. */
  readonly scopeIndex: number;
  /** The page of that scope to continue with (`''`: its first page). */
  readonly pageToken: string;
}

/** A record rotation could not re-wrap; the run goes on without it. */
export interface RotationFailure {
  readonly scope: Scope;
  readonly taskId: string;
  /** Set when the failure is a push config's. */
  readonly configId?: string;
  readonly error: Error;
}

/** Counters, reported after every batch and returned at the end. */
export interface RotationProgress {
  /** Scopes fully rotated. */
  readonly scopesDone: number;
  readonly tasksScanned: number;
  /** Tasks written back with re-wrapped data keys. */
  readonly tasksRewrapped: number;
  /** Push configs written back with re-wrapped data keys. */
  readonly pushConfigsRewrapped: number;
  /** Distinct data keys re-wrapped (each one keyring call: KMS `ReEncrypt` or local unwrap/wrap). */
  readonly dataKeysRewrapped: number;
  readonly failures: readonly RotationFailure[];
  /** Resume point after this batch. */
  readonly checkpoint: RotationCheckpoint;
}

export interface RotateKeysOptions {
  /** The wrapped stores; their keyring's primary master key is the rotation target. */
  readonly stores: EncryptedStoreBundle;
  /**
   * The scopes to rotate. The store contract has no cross-scope enumeration, so the caller
   * names them (its tenants and users, or `SELECT DISTINCT tenant, owner` on its database).
   * Keep the same order when resuming.
   */
  readonly scopes: Iterable<Scope> | AsyncIterable<Scope>;
  /** Call contexts for a scope. Default {@link defaultScopeContext} (core's default resolver). */
  readonly contextFor?: ScopeContextFactory;
  /** Tasks per batch (a `list` page, 1..100). Default 100. */
  readonly batchSize?: number;
  readonly resumeFrom?: RotationCheckpoint;
  readonly onProgress?: (progress: RotationProgress) => void;
  /** Stops between batches; the last reported checkpoint resumes. */
  readonly signal?: AbortSignal;
}

/** Failures that belong to one record: reported, and the run goes on. */
function isRecordFailure(error: unknown): error is Error {
  return (
    error instanceof CorruptRecordError ||
    error instanceof InvalidInputError ||
    error instanceof VersionConflictError ||
    error instanceof StaleWriteError
  );
}

const CAS_ATTEMPTS = 3;

interface Counters {
  scopesDone: number;
  tasksScanned: number;
  tasksRewrapped: number;
  pushConfigsRewrapped: number;
  dataKeysRewrapped: number;
  failures: RotationFailure[];
}

/**
 * Re-wraps every stored data key that is not under the keyring's primary master key, scope by
 * scope, a `list` page at a time, without touching the data ciphertext: KMS `ReEncrypt` (the data
 * key never leaves KMS), or unwrap and wrap for local and cross-keyring moves. Each task is
 * written back with `saveIfVersion` (a concurrent write wins and is retried); push configs are
 * re-saved in their registration order with their wire version. A task still in the per-field
 * format of earlier releases is converted to the record format (one envelope per record): its
 * fields are opened and sealed again under a fresh data key from the primary, even when they were
 * under the primary already. Records already under the primary (and tasks already in the record
 * format) are skipped, so a re-run is cheap and an interrupted run resumes from its checkpoint.
 * Abort-worthy errors (KMS unavailable, key disabled) are thrown after the last checkpoint was
 * reported; record-level failures (a ciphertext that does not open, a URL the policy now refuses)
 * are collected and the run goes on.
 *
 * Push configs are found through the scope's tasks: a config registered for a task id that has
 * no stored task is not visited.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * import { LocalAesKeyring, rotateKeys, withEnvelopeEncryption } from '@a2a-stores/kms';
 * const keyring = new LocalAesKeyring({
 *   keys: { old: Buffer.alloc(32, 1), current: Buffer.alloc(32, 2) },
 *   primary: 'current',
 * });
 * const stores = withEnvelopeEncryption(createMemoryStores(), { keyring });
 * const result = await rotateKeys({ stores, scopes: [{ tenant: 'acme', owner: 'alice' }] });
 * console.log(result.dataKeysRewrapped);
 * ```
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<RotationProgress> {
  const { stores, onProgress, signal } = options;
  const taskStore = stores?.taskStore?.inner as Partial<ScopedTaskStore> | undefined;
  const pushStore = stores?.pushNotificationStore?.inner as
    | Partial<ScopedPushNotificationStore>
    | undefined;
  if (
    !taskStore?.list ||
    !taskStore.loadVersioned ||
    !taskStore.saveIfVersion ||
    !pushStore?.loadWithMetadata
  ) {
    throw new TypeError(
      'rotateKeys needs stores from withEnvelopeEncryption over a2a-stores stores (list, loadVersioned, saveIfVersion, loadWithMetadata)',
    );
  }
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100) {
    throw new TypeError('batchSize must be an integer between 1 and 100');
  }
  const contextFor = options.contextFor ?? defaultScopeContext;
  const rewrapper = new EnvelopeRewrapper(stores.keyring);
  const resume = options.resumeFrom ?? { scopeIndex: 0, pageToken: '' };
  const counters: Counters = {
    scopesDone: resume.scopeIndex,
    tasksScanned: 0,
    tasksRewrapped: 0,
    pushConfigsRewrapped: 0,
    dataKeysRewrapped: 0,
    failures: [],
  };
  const snapshot = (checkpoint: RotationCheckpoint): RotationProgress => ({
    ...counters,
    failures: [...counters.failures],
    checkpoint,
  });
  let index = -1;
  for await (const scope of options.scopes) {
    index++;
    if (index < resume.scopeIndex) continue;
    const context = contextFor(scope);
    const resolved = stores.taskStore.scopeOf(context);
    if (resolved.tenant !== scope.tenant || resolved.owner !== scope.owner) {
      throw new TypeError(
        'contextFor(scope) does not resolve to that scope in this store; pass a contextFor matching your scopeResolver',
      );
    }
    let pageToken = index === resume.scopeIndex ? resume.pageToken : '';
    do {
      signal?.throwIfAborted();
      const request: ListTasksRequest = {
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken,
        pageSize: batchSize,
        includeArtifacts: true,
        statusTimestampAfter: undefined,
      };
      const page = await taskStore.list(request, context);
      for (const task of page.tasks) {
        counters.tasksScanned++;
        await rotateTask(task.id);
        await rotatePushConfigs(task.id);
      }
      pageToken = page.nextPageToken;
      if (pageToken) onProgress?.(snapshot({ scopeIndex: index, pageToken }));
    } while (pageToken);
    counters.scopesDone = index + 1;
    onProgress?.(snapshot({ scopeIndex: index + 1, pageToken: '' }));

    async function rotateTask(taskId: string): Promise<void> {
      try {
        for (let attempt = 1; ; attempt++) {
          const stored = await taskStore!.loadVersioned!(taskId, context);
          if (!stored) return;
          const rewrapped = await rewrapper.task(scope, stored.task);
          if (!rewrapped) return;
          try {
            await taskStore!.saveIfVersion!(rewrapped.value, context, stored.version);
            counters.tasksRewrapped++;
            counters.dataKeysRewrapped += rewrapped.dataKeys;
            return;
          } catch (error) {
            // A concurrent write sealed the task anew (under the primary): read it again.
            if (!(error instanceof VersionConflictError) || attempt >= CAS_ATTEMPTS) throw error;
          }
        }
      } catch (error) {
        if (!isRecordFailure(error)) throw error;
        counters.failures.push({ scope, taskId, error });
      }
    }

    async function rotatePushConfigs(taskId: string): Promise<void> {
      const entries = await pushStore!.loadWithMetadata!(taskId, context);
      let firstChanged = -1;
      const configs: {
        entry: StoredPushNotificationConfig;
        config: TaskPushNotificationConfig;
        changed: boolean;
      }[] = [];
      for (const [i, entry] of entries.entries()) {
        try {
          const rewrapped = await rewrapper.pushConfig(scope, taskId, entry.config);
          if (rewrapped && firstChanged === -1) firstChanged = i;
          counters.dataKeysRewrapped += rewrapped?.dataKeys ?? 0;
          configs.push({ entry, config: rewrapped?.value ?? entry.config, changed: !!rewrapped });
        } catch (error) {
          if (!isRecordFailure(error)) throw error;
          counters.failures.push({ scope, taskId, configId: entry.config.id, error });
          configs.push({ entry, config: entry.config, changed: false });
        }
      }
      if (firstChanged === -1) return;
      // A save moves a config to the end of its task's order: re-save the tail in order.
      for (const { entry, config, changed } of configs.slice(firstChanged)) {
        try {
          await pushStore!.save!(taskId, contextFor(scope, entry.wireVersion), config);
          if (changed) counters.pushConfigsRewrapped++;
        } catch (error) {
          if (!isRecordFailure(error)) throw error;
          counters.failures.push({ scope, taskId, configId: config.id, error });
        }
      }
    }
  }
  return snapshot({ scopeIndex: index + 1, pageToken: '' });
}
