import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { assertValidId } from './limits.js';
import type { ResolvedStoreOptions } from './options.js';
import { encodePushConfig } from './push-config-codec.js';
import { encodeTask } from './task-codec.js';

/** Wire version of a push registration made without an `A2A-Version` header (the SDK's rule). */
const LEGACY_WIRE_VERSION = '0.3';

/**
 * A task store that can say, without writing, whether `save` would refuse a task for what it is
 * (ids, state, serialisation, size). Stores built on core implement it, so a wrapper that does
 * costly work before saving (an encryption wrapper calling a billed KMS) refuses bad input first.
 * A write can still fail for reasons that depend on what is stored (versions, stale writes).
 */
export interface TaskSavePreflight {
  validateSave(task: Task, context: ServerCallContext): void;
}

/**
 * A push config store that can say, without writing, whether `save` would refuse a config for
 * what it is (ids, URL policy, header safety, size). The per-task cap depends on what is stored
 * and is only checked by the write itself.
 */
export interface PushConfigSavePreflight {
  validateSave(
    taskId: string,
    context: ServerCallContext,
    config: TaskPushNotificationConfig,
  ): Promise<void>;
}

/** True when `store` offers {@link TaskSavePreflight}. */
export function hasTaskSavePreflight(store: unknown): store is TaskSavePreflight {
  return typeof (store as Partial<TaskSavePreflight> | null)?.validateSave === 'function';
}

/** True when `store` offers {@link PushConfigSavePreflight}. */
export function hasPushConfigSavePreflight(store: unknown): store is PushConfigSavePreflight {
  return typeof (store as Partial<PushConfigSavePreflight> | null)?.validateSave === 'function';
}

/** The checks of a task save that need nothing stored; throws core's typed input errors. */
export function validateTaskInput(task: Task, options: ResolvedStoreOptions): void {
  encodeTask(task, options.limits.maxTaskBytes);
}

/**
 * The checks of a push config save that need nothing stored, in the order `save` makes them;
 * `config.id` may be empty (a stand-in id of the assigned length is checked). Throws core's typed
 * input errors or the URL policy's rejection.
 */
export async function validatePushConfigInput(
  taskId: string,
  context: ServerCallContext,
  config: TaskPushNotificationConfig,
  options: ResolvedStoreOptions,
): Promise<void> {
  assertValidId(taskId, 'taskId');
  const id = config?.id ? config.id : crypto.randomUUID();
  const candidate = { ...config, id };
  const wireVersion = context.requestedVersion || LEGACY_WIRE_VERSION;
  encodePushConfig(candidate, wireVersion, options.limits.maxPushConfigBytes);
  if (options.pushUrlCheck) await options.pushUrlCheck(candidate.url);
}
