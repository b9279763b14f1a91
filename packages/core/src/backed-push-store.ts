import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { ServerCallContext, StoredPushNotificationConfig } from '@a2a-js/sdk/server';
import type { PushConfigBackend } from './backend.js';
import type { ScopedPushNotificationStore } from './contracts.js';
import { CorruptRecordError, PushConfigLimitError } from './errors.js';
import { fireHook } from './hooks.js';
import { assertValidId } from './limits.js';
import type { ResolvedStoreOptions } from './options.js';
import { type PushConfigSavePreflight, validatePushConfigInput } from './preflight.js';
import { decodePushConfig, encodePushConfig } from './push-config-codec.js';
import { resolveScope, type Scope } from './scope.js';
import { StoreTelemetry, type StoreTelemetryAttributes } from './telemetry/store-telemetry.js';

/** Wire version of a registration made without an `A2A-Version` header (the SDK's rule). */
const LEGACY_WIRE_VERSION = '0.3';

/**
 * The SDK-compatible push config store every adapter exposes; the adapter's
 * {@link PushConfigBackend} does the storage.
 */
export class BackedPushNotificationStore
  implements ScopedPushNotificationStore, PushConfigSavePreflight
{
  protected readonly backend: PushConfigBackend;
  protected readonly options: ResolvedStoreOptions;
  /** Spans and metrics of this store (no-ops without `@opentelemetry/api`). */
  protected readonly telemetry: StoreTelemetry;

  /** @param telemetry as for `BackedTaskStore`, naming the push config table. */
  constructor(
    backend: PushConfigBackend,
    options: ResolvedStoreOptions,
    telemetry: StoreTelemetryAttributes | null = { system: 'other' },
  ) {
    this.backend = backend;
    this.options = options;
    this.telemetry = new StoreTelemetry(telemetry);
  }

  scopeOf(context: ServerCallContext): Scope {
    return resolveScope(this.options.scopeResolver, context);
  }

  /**
   * Stores a config for the task. When `config.id` is empty a UUID is assigned to the caller's
   * object in place (the SDK reads the id back from it). The same id replaces.
   */
  save(
    taskId: string,
    context: ServerCallContext,
    config: TaskPushNotificationConfig,
  ): Promise<void> {
    return this.telemetry.run('save', async () => {
      const scope = this.scopeOf(context);
      assertValidId(taskId, 'taskId');
      const id = config?.id ? config.id : crypto.randomUUID();
      const candidate = { ...config, id };
      const wireVersion = context.requestedVersion || LEGACY_WIRE_VERSION;
      const encoded = encodePushConfig(
        candidate,
        wireVersion,
        this.options.limits.maxPushConfigBytes,
      );
      if (this.options.pushUrlCheck) await this.options.pushUrlCheck(candidate.url);
      const max = this.options.limits.maxPushConfigsPerTask;
      const outcome = await this.backend.put(scope, taskId, encoded, max, this.options.now());
      if (outcome === 'limit') throw new PushConfigLimitError(taskId, max);
      // Assigned only once stored, so a refused save leaves the caller's object untouched.
      config.id = id;
    });
  }

  /**
   * Throws what `save` would throw for this config and call before writing (ids, URL policy,
   * size); writes nothing. The per-task cap is only checked by `save` itself.
   */
  async validateSave(
    taskId: string,
    context: ServerCallContext,
    config: TaskPushNotificationConfig,
  ): Promise<void> {
    this.scopeOf(context);
    await validatePushConfigInput(taskId, context, config, this.options);
  }

  async load(taskId: string, context: ServerCallContext): Promise<TaskPushNotificationConfig[]> {
    return (await this.loadWithMetadata(taskId, context)).map((entry) => entry.config);
  }

  loadWithMetadata(
    taskId: string,
    context: ServerCallContext,
  ): Promise<StoredPushNotificationConfig[]> {
    return this.telemetry.run('load', async () => {
      const scope = this.scopeOf(context);
      assertValidId(taskId, 'taskId');
      const rows = await this.backend.list(scope, taskId);
      const result: StoredPushNotificationConfig[] = [];
      for (const row of rows) {
        try {
          result.push({ config: decodePushConfig(row.id, row.json), wireVersion: row.wireVersion });
        } catch (error) {
          if (!(error instanceof CorruptRecordError)) throw error;
          this.telemetry.count('corruptRecords', 1, { 'a2a_stores.record.kind': 'push-config' });
          // One unreadable registration must not stop notifications to the others.
          fireHook(this.options.hooks.onCorruptRecord, {
            kind: 'push-config',
            scope,
            recordId: row.id,
            error,
          });
        }
      }
      return result;
    });
  }

  /** Deletes one config; without `configId` the SDK's reference rule applies (id = taskId). */
  delete(taskId: string, context: ServerCallContext, configId?: string): Promise<void> {
    return this.telemetry.run('delete', async () => {
      const scope = this.scopeOf(context);
      assertValidId(taskId, 'taskId');
      const id = configId === undefined ? taskId : configId;
      assertValidId(id, 'configId');
      await this.backend.delete(scope, taskId, id);
    });
  }

  deleteAll(taskId: string, context: ServerCallContext): Promise<void> {
    return this.telemetry.run('delete_all', async () => {
      const scope = this.scopeOf(context);
      assertValidId(taskId, 'taskId');
      await this.backend.deleteAll(scope, taskId);
    });
  }
}
