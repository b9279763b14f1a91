import type { StoreHooks, StoreLogger } from './hooks.js';
import { resolveLimits, type StoreLimits } from './limits.js';
import { createPushUrlPolicy } from './push-url/push-url-policy.js';
import { type AnonymousPolicy, defaultScopeResolver, type ScopeResolver } from './scope.js';

/** What `save` does with a write that would move a terminal task to another state. */
export type StaleWritePolicy = 'ignore' | 'throw';

/**
 * Checks a push webhook URL before a config is written; throws `PushUrlRejectedError` to refuse.
 */
export type PushUrlCheck = (url: string) => void | Promise<void>;

/**
 * Options every adapter accepts (alongside its connection options).
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * const stores = createMemoryStores({ anonymous: 'reject', staleWrites: 'throw' });
 * ```
 */
export interface CoreStoreOptions {
  /** Derives the scope of each call. Default: {@link defaultScopeResolver}. */
  scopeResolver?: ScopeResolver;
  /** Anonymous policy of the default resolver (ignored with a custom `scopeResolver`). */
  anonymous?: AnonymousPolicy;
  /**
   * `'ignore'` (default): a stale `save` is dropped and reported to `hooks.onStaleWrite`, so the
   * SDK's flows (a late status event after cancel) keep working. `'throw'`: `StaleWriteError`.
   * `saveIfVersion` always throws.
   */
  staleWrites?: StaleWritePolicy;
  limits?: Partial<StoreLimits>;
  hooks?: StoreHooks;
  /** Receives warnings. Default: `console.warn`; no message carries tenant, owner or content. */
  logger?: StoreLogger;
  /**
   * Checks push webhook URLs before anything is written. Default: the strict
   * `createPushUrlPolicy()` (https only, public addresses only, names must resolve). Pass
   * `createPushUrlPolicy({...})` to allowlist hosts or opt in to localhost during development.
   */
  pushUrlCheck?: PushUrlCheck;
  /** Clock for write times (purge). Default `Date.now`. */
  now?: () => number;
}

/** {@link CoreStoreOptions} with every default applied. */
export interface ResolvedStoreOptions {
  readonly scopeResolver: ScopeResolver;
  readonly staleWrites: StaleWritePolicy;
  readonly limits: StoreLimits;
  readonly hooks: StoreHooks;
  readonly logger: StoreLogger;
  readonly pushUrlCheck: PushUrlCheck | undefined;
  readonly now: () => number;
}

const consoleLogger: StoreLogger = { warn: (message) => console.warn(message) };

/** Applies defaults and validates options once, when a factory runs. */
export function resolveStoreOptions(options: CoreStoreOptions = {}): ResolvedStoreOptions {
  const staleWrites = options.staleWrites ?? 'ignore';
  if (staleWrites !== 'ignore' && staleWrites !== 'throw') {
    throw new TypeError(`staleWrites must be 'ignore' or 'throw', got ${String(staleWrites)}`);
  }
  const logger = options.logger ?? consoleLogger;
  return {
    scopeResolver:
      options.scopeResolver ??
      defaultScopeResolver({ anonymous: options.anonymous ?? 'shared', logger }),
    staleWrites,
    limits: resolveLimits(options.limits),
    hooks: options.hooks ?? {},
    logger,
    pushUrlCheck: options.pushUrlCheck ?? createPushUrlPolicy(),
    now: options.now ?? Date.now,
  };
}
