import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import {
  assertValidId,
  fireHook,
  hasTaskSavePreflight,
  InvalidInputError,
  type PurgeOptions,
  type PurgeResult,
  type Scope,
  type ScopedTaskStore,
  StoreClosedError,
  trimHistory,
  type VersionedTask,
} from '@a2a-stores/core';
import { DecryptionError } from './errors.js';
import { type EnvelopeSettings, plaintextReporter, scopeFunction } from './options.js';
import type { OpenPolicy } from './task-fields.js';
import { openTask, sealTask, type TaskSealers } from './task-record.js';

/** A record whose ciphertext does not open is left out of a page (already reported). */
function skipUnreadable(error: unknown): undefined {
  if (!(error instanceof DecryptionError)) throw error;
  return undefined;
}

function missing(method: string): never {
  throw new TypeError(
    `The inner taskStore has no ${method}(); the extended methods need an a2a-stores store`,
  );
}

/**
 * A task store that seals the configured task fields before they reach the inner store and
 * opens them on the way out. Everything else (scope isolation, versions, list order and paging,
 * stale-write guard, limits) is the inner store's, unchanged.
 */
export class EncryptedTaskStore implements ScopedTaskStore {
  /** The store holding the sealed records; reading it directly yields ciphertext. */
  readonly inner: TaskStore;
  readonly #settings: EnvelopeSettings;
  readonly #scopeOf: (context: ServerCallContext) => Scope;
  readonly #policy: OpenPolicy;
  readonly #sealers: TaskSealers;

  constructor(inner: TaskStore, settings: EnvelopeSettings) {
    this.inner = inner;
    this.#settings = settings;
    this.#scopeOf = scopeFunction(inner, settings, 'taskStore');
    this.#sealers = { fields: settings.sealer, record: settings.recordSealer };
    this.#policy = {
      fields: settings.taskFields,
      strict: settings.strict,
      onPlaintext: plaintextReporter(settings, 'task'),
    };
  }

  /** The scope of a call, as the inner store derives it (sealed data is bound to it). */
  scopeOf(context: ServerCallContext): Scope {
    return this.#scopeOf(context);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const scope = this.#scopeOf(context);
    const task = await this.inner.load(taskId, context);
    return task && this.#open(scope, task);
  }

  async loadVersioned(
    taskId: string,
    context: ServerCallContext,
  ): Promise<VersionedTask | undefined> {
    const inner = this.inner as Partial<ScopedTaskStore>;
    if (typeof inner.loadVersioned !== 'function') missing('loadVersioned');
    const scope = this.#scopeOf(context);
    const stored = await inner.loadVersioned(taskId, context);
    return stored && { task: await this.#open(scope, stored.task), version: stored.version };
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const sealed = await this.#seal(task, context);
    await this.inner.save(sealed, context);
  }

  async saveIfVersion(
    task: Task,
    context: ServerCallContext,
    expectedVersion: number | null,
  ): Promise<number> {
    const inner = this.inner as Partial<ScopedTaskStore>;
    if (typeof inner.saveIfVersion !== 'function') missing('saveIfVersion');
    if (
      expectedVersion !== null &&
      (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)
    ) {
      throw new InvalidInputError('expectedVersion must be null or a positive integer');
    }
    const sealed = await this.#seal(task, context);
    return inner.saveIfVersion(sealed, context, expectedVersion);
  }

  async delete(taskId: string, context: ServerCallContext): Promise<boolean> {
    const inner = this.inner as Partial<ScopedTaskStore>;
    if (typeof inner.delete !== 'function') missing('delete');
    this.#scopeOf(context);
    return inner.delete(taskId, context);
  }

  /**
   * Lists through the inner store (filters, order, tokens and `totalSize` are its own) and opens
   * each task. `historyLength` is applied again after opening, since a sealed history is inside
   * the record's envelope, not in the inner store's history. A task whose ciphertext does not open
   * is skipped and reported through `hooks.onCorruptRecord`, as core skips a corrupt row.
   */
  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const scope = this.#scopeOf(context);
    const page = await this.inner.list(params, context);
    const includeArtifacts = params?.includeArtifacts === true;
    // Opens synchronously on cache hits (the common case): no promise per record; the records
    // whose keys need a keyring call are awaited together.
    const opened: (Task | Promise<Task | undefined> | undefined)[] = page.tasks.map((task) => {
      try {
        const result = this.#open(scope, task, includeArtifacts);
        return result instanceof Promise ? result.catch(skipUnreadable) : result;
      } catch (error) {
        // Rejected rather than thrown: Promise.all below then handles every record's promise.
        return error instanceof DecryptionError ? undefined : Promise.reject(error);
      }
    });
    const settled = opened.some((task) => task instanceof Promise)
      ? await Promise.all(opened)
      : (opened as (Task | undefined)[]);
    const tasks: Task[] = [];
    for (const task of settled) {
      if (task !== undefined) tasks.push(trimHistory(task, params?.historyLength));
    }
    return { ...page, tasks };
  }

  async purge(options: PurgeOptions): Promise<PurgeResult> {
    const inner = this.inner as Partial<ScopedTaskStore>;
    if (typeof inner.purge !== 'function') missing('purge');
    if (this.#settings.closed) throw new StoreClosedError();
    return inner.purge(options);
  }

  /**
   * Resolves the scope and checks the id before any keyring call, then seals. Before a keyring
   * call (a cache miss), the inner store's own checks run on the plaintext task (core's
   * `validateSave`): a sealed task is never smaller than its plaintext, so what they refuse the
   * inner store would refuse after the call. Not async: a cache hit seals synchronously, and the
   * callers (async) turn a throw into their rejection.
   */
  #seal(task: Task, context: ServerCallContext): Task | Promise<Task> {
    const scope = this.#scopeOf(context);
    if (!task || typeof task !== 'object') throw new InvalidInputError('task must be an object');
    assertValidId(task.id, 'task.id');
    const inner = this.inner;
    const preflight = hasTaskSavePreflight(inner)
      ? () => inner.validateSave(task, context)
      : undefined;
    return sealTask(this.#settings.recordSealer, scope, task, this.#settings.taskFields, preflight);
  }

  /** Opens synchronously on a cache hit; a ciphertext that does not open is reported either way. */
  #open(scope: Scope, task: Task, withArtifacts = true): Task | Promise<Task> {
    const report = (error: unknown): never => {
      if (error instanceof DecryptionError) {
        fireHook(this.#settings.hooks.onCorruptRecord, {
          kind: 'task',
          scope,
          recordId: task.id,
          error,
        });
      }
      throw error;
    };
    try {
      const opened = openTask(this.#sealers, scope, task, this.#policy, withArtifacts);
      return opened instanceof Promise ? opened.catch(report) : opened;
    } catch (error) {
      return report(error);
    }
  }
}
