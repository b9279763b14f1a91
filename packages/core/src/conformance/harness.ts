import type { PushNotificationStore, TaskStore } from '@a2a-js/sdk/server';
import type { CoreStoreOptions, Scope } from '@a2a-stores/core';

/**
 * Behaviours the suite checks beyond the SDK's own interfaces. An adapter built on core's
 * `BackedTaskStore` has them all; a store that lacks one declares it in
 * {@link StoreHarness.unsupported} with the reason, and the tests that need it are skipped with
 * that reason printed.
 */
export type Capability =
  /** `delete`, `loadVersioned`, `saveIfVersion`, `purge` on the task store; `deleteAll` on push. */
  | 'extendedTaskStore'
  /** `create(options)` honours the core options (hooks, staleWrites, limits, anonymous). */
  | 'storeOptions'
  /** A terminal task is never moved to another state by `save`. */
  | 'terminalGuard'
  /** Garbage and foreign page tokens throw `RequestMalformedError`. */
  | 'validatedPageTokens'
  /** `list` applies `historyLength` itself (the SDK handler also does). */
  | 'listHistoryLength'
  /** Ids, sizes and push configs per task are bounded with typed errors. */
  | 'inputLimits'
  /** Deleting a task removes its push configs. */
  | 'cascadeDelete'
  /** `list` refuses a `pageSize` outside 1..100 (or not an integer) with `RequestMalformedError`. */
  | 'validatedListParams'
  /**
   * Ids that share a status timestamp are ordered by code point (byte-wise UTF-8), not by a
   * locale collation, so every backend pages identically.
   */
  | 'codePointIdOrder'
  /**
   * Status timestamps are ordered as the instants they denote (`+02:00` vs `Z`, `.5` vs `.500`
   * vs no fraction), not as strings, so every spelling of a time sorts where that time is.
   */
  | 'instantTimestampOrder'
  /**
   * Stores from two `create` calls see the same data, like two processes (or a restarted one)
   * on one database.
   */
  | 'sharedStorage';

/** The stores one test works with. */
export interface HarnessStores {
  readonly taskStore: TaskStore;
  readonly pushNotificationStore: PushNotificationStore;
  /** Called after each test. Close what `create` opened (not a shared pool). */
  close?(): Promise<void>;
}

/**
 * Looks behind the API at what the backing store really holds. Optional: tests that need a
 * probe are skipped (with the reason) when the harness has none.
 */
export interface RawProbe {
  /** Overwrite the stored task so it can no longer be decoded. */
  corruptTask(scope: Scope, taskId: string): Promise<void>;
  /** Overwrite one stored push config so it can no longer be decoded. */
  corruptPushConfig?(scope: Scope, taskId: string, configId: string): Promise<void>;
  /** Everything stored for the task (body, artifacts), as text, or undefined when absent. */
  readTaskRaw?(scope: Scope, taskId: string): Promise<string | undefined>;
  /** Everything stored for the task's push configs, as text. */
  readPushConfigsRaw?(scope: Scope, taskId: string): Promise<string[]>;
}

/**
 * What an adapter author hands to the suite. The suite never builds an adapter: it calls
 * `create` for each test. Each test makes its own random tenant and owner, so one shared
 * database needs no wipes between tests.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * import type { StoreHarness } from '@a2a-stores/core/conformance';
 * export const harness: StoreHarness = {
 *   name: 'memory',
 *   create: (options) => createMemoryStores(options),
 * };
 * ```
 */
export interface StoreHarness {
  readonly name: string;
  /**
   * Returns stores built with `options` applied over the adapter's own (the default scope
   * resolver reads `context.tenant` and `user.userName`; the suite relies on that mapping).
   */
  create(options: CoreStoreOptions): HarnessStores | Promise<HarnessStores>;
  /** Called once after the whole suite (close shared pools here). */
  destroy?(): Promise<void>;
  /** Capabilities this store lacks, each with the reason printed when its tests are skipped. */
  readonly unsupported?: Partial<Record<Capability, string>>;
  readonly probe?: RawProbe;
}
