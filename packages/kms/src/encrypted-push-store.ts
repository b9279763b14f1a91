import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import type {
  PushNotificationStore,
  ServerCallContext,
  StoredPushNotificationConfig,
} from '@a2a-js/sdk/server';
import {
  assertHeaderSafePushAuth,
  assertValidId,
  fireHook,
  hasPushConfigSavePreflight,
  InvalidInputError,
  type Scope,
  type ScopedPushNotificationStore,
} from '@a2a-stores/core';
import { DecryptionError } from './errors.js';
import { type EnvelopeSettings, plaintextReporter, scopeFunction } from './options.js';
import { openPushConfig, sealPushConfig } from './push-secrets.js';

/**
 * A push config store that seals `token` and `authentication.credentials` before they reach the
 * inner store. The URL, scheme, ids and wire version stay in clear (the sender needs them, and
 * the inner store's URL policy checks the URL).
 */
export class EncryptedPushNotificationStore implements ScopedPushNotificationStore {
  /** The store holding the sealed configs; reading it directly yields ciphertext. */
  readonly inner: PushNotificationStore;
  readonly #settings: EnvelopeSettings;
  readonly #scopeOf: (context: ServerCallContext) => Scope;
  readonly #onPlaintext: (scope: Scope, recordId: string, field: string) => void;

  constructor(inner: PushNotificationStore, settings: EnvelopeSettings) {
    this.inner = inner;
    this.#settings = settings;
    this.#scopeOf = scopeFunction(inner, settings, 'pushNotificationStore');
    this.#onPlaintext = plaintextReporter(settings, 'push-config');
  }

  scopeOf(context: ServerCallContext): Scope {
    return this.#scopeOf(context);
  }

  /**
   * Seals the secrets and stores the config. An empty `config.id` is assigned (a UUID) before
   * sealing, because the id is bound to the ciphertext, and written to the caller's object only
   * once the inner store accepted the config (the SDK reads it back from there).
   */
  async save(
    taskId: string,
    context: ServerCallContext,
    config: TaskPushNotificationConfig,
  ): Promise<void> {
    const scope = this.#scopeOf(context);
    assertValidId(taskId, 'taskId');
    if (!config || typeof config !== 'object') {
      throw new InvalidInputError('pushNotificationConfig must be an object');
    }
    if (typeof config.url !== 'string' || config.url.length === 0) {
      throw new InvalidInputError('pushNotificationConfig.url must be a non-empty string');
    }
    const id = config.id ? config.id : crypto.randomUUID();
    assertValidId(id, 'pushNotificationConfig.id');
    // The inner store only sees ciphertext, so header safety is checked on the plaintext here.
    assertHeaderSafePushAuth(config);
    const candidate = { ...config, id };
    // Before a keyring call, the inner store's own checks (URL policy, size) on the plaintext:
    // a refused registration must not cost a billed, rate-limited KMS request.
    const inner = this.inner;
    const preflight = hasPushConfigSavePreflight(inner)
      ? () => inner.validateSave(taskId, context, candidate)
      : undefined;
    const sealed = await sealPushConfig(this.#settings.sealer, scope, taskId, candidate, preflight);
    await this.inner.save(taskId, context, sealed);
    config.id = id;
  }

  async load(taskId: string, context: ServerCallContext): Promise<TaskPushNotificationConfig[]> {
    const scope = this.#scopeOf(context);
    const configs = await this.inner.load(taskId, context);
    return this.#openAll(scope, taskId, configs, (config) => config);
  }

  /** The inner store's entries, wire version untouched, with the secrets opened. */
  async loadWithMetadata(
    taskId: string,
    context: ServerCallContext,
  ): Promise<StoredPushNotificationConfig[]> {
    if (typeof this.inner.loadWithMetadata !== 'function') {
      throw new TypeError('The inner pushNotificationStore has no loadWithMetadata()');
    }
    const scope = this.#scopeOf(context);
    const entries = await this.inner.loadWithMetadata(taskId, context);
    return this.#openAll(
      scope,
      taskId,
      entries,
      (entry) => entry.config,
      (entry, config) => ({
        ...entry,
        config,
      }),
    );
  }

  async delete(taskId: string, context: ServerCallContext, configId?: string): Promise<void> {
    this.#scopeOf(context);
    await this.inner.delete(taskId, context, configId);
  }

  async deleteAll(taskId: string, context: ServerCallContext): Promise<void> {
    const inner = this.inner as Partial<ScopedPushNotificationStore>;
    if (typeof inner.deleteAll !== 'function') {
      throw new TypeError('The inner pushNotificationStore has no deleteAll()');
    }
    this.#scopeOf(context);
    await inner.deleteAll(taskId, context);
  }

  /**
   * Opens every config. One whose ciphertext does not open is skipped and reported, as core
   * skips an unreadable registration: it must not stop notifications to the others.
   */
  async #openAll<E, R = TaskPushNotificationConfig>(
    scope: Scope,
    taskId: string,
    entries: readonly E[],
    configOf: (entry: E) => TaskPushNotificationConfig,
    rebuild: (entry: E, config: TaskPushNotificationConfig) => R = (_entry, config) => config as R,
  ): Promise<R[]> {
    const opened = await Promise.all(
      entries.map(async (entry) => {
        const config = configOf(entry);
        try {
          const open = await openPushConfig(
            this.#settings.sealer,
            scope,
            taskId,
            config,
            this.#settings.strict,
            this.#onPlaintext,
          );
          return rebuild(entry, open);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          fireHook(this.#settings.hooks.onCorruptRecord, {
            kind: 'push-config',
            scope,
            recordId: config.id,
            error,
          });
          return undefined;
        }
      }),
    );
    return opened.filter((entry): entry is Awaited<R> => entry !== undefined) as R[];
  }
}
