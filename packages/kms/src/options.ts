import type { ServerCallContext } from '@a2a-js/sdk/server';
import {
  defaultScopeResolver,
  fireHook,
  resolveScope,
  type Scope,
  type ScopeResolver,
  StoreClosedError,
  type StoreHooks,
} from '@a2a-stores/core';
import { type DataKeyCacheOptions, resolveCacheLimits } from './data-key-cache.js';
import { type CachePolicy, DataKeySource } from './data-key-source.js';
import type { Keyring } from './keyring.js';
import { RecordEnvelopeSealer } from './record-envelope.js';
import { RecordSealer } from './record-sealer.js';
import { TASK_FIELDS, type TaskField } from './task-fields.js';

/**
 * `'strict'` (default): a read that finds plaintext where a ciphertext is expected fails with
 * `PlaintextRefusedError`. `'migrate'`: such plaintext is returned (and reported through
 * `hooks.onPlaintextRead`); every write seals, so records are sealed as they are next written.
 */
export type EnvelopeMode = 'strict' | 'migrate';

/** A plaintext value read in migration mode. Carries no value, only where it was. */
export interface PlaintextReadEvent {
  readonly kind: 'task' | 'push-config';
  readonly scope: Scope;
  readonly recordId: string;
  readonly field: string;
}

/** Core's hooks, plus what migration mode reports. */
export interface EnvelopeHooks extends StoreHooks {
  onPlaintextRead?(event: PlaintextReadEvent): void;
}

/**
 * Options of `withEnvelopeEncryption`.
 *
 * @example
 * ```ts
 * import { generateLocalMasterKey, LocalAesKeyring, type EnvelopeEncryptionOptions } from '@a2a-stores/kms';
 * const options: EnvelopeEncryptionOptions = {
 *   keyring: new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' }),
 *   taskFields: ['history', 'artifacts'],
 *   cache: { maxAgeMs: 30_000 },
 * };
 * ```
 */
export interface EnvelopeEncryptionOptions {
  /** Where data keys come from: `AwsKmsKeyring`, `LocalAesKeyring`, `MultiKeyring` or your own. */
  readonly keyring: Keyring;
  /**
   * Task fields sealed besides the push secrets (which always are). Default none. Fields that
   * `list` filters or orders on (id, contextId, status state and timestamp) are never sealed.
   */
  readonly taskFields?: readonly TaskField[];
  /** Default `'strict'`. */
  readonly mode?: EnvelopeMode;
  /** Shorthand of the API: `strict: false` is `mode: 'migrate'`. */
  readonly strict?: boolean;
  /** Data-key cache; off by default (every write gets a fresh data key). `true`: defaults. */
  readonly cache?: boolean | DataKeyCacheOptions;
  /**
   * How the scope of a call is derived, for stores that do not expose `scopeOf` (a store of
   * your own). Default: core's `defaultScopeResolver()`. Stores built on core (every a2a-stores
   * adapter) resolve the scope themselves and refuse this option: the ciphertext must be bound
   * to the scope the store partitions by, so there must be one resolver, the adapter's.
   */
  readonly scopeResolver?: ScopeResolver;
  readonly hooks?: EnvelopeHooks;
}

/** What both encrypted stores share. */
export interface EnvelopeSettings {
  readonly sealer: RecordSealer;
  /** Seals task records (one envelope per record); shares the per-field sealer's data keys. */
  readonly recordSealer: RecordEnvelopeSealer;
  readonly taskFields: ReadonlySet<TaskField>;
  readonly strict: boolean;
  readonly hooks: EnvelopeHooks;
  readonly scopeResolver: ScopeResolver | undefined;
  readonly defaultResolver: ScopeResolver;
  closed: boolean;
}

function cachePolicy(cache: EnvelopeEncryptionOptions['cache']): CachePolicy | undefined {
  if (cache === undefined || cache === false) return undefined;
  const options = cache === true ? {} : cache;
  if (!options || typeof options !== 'object') {
    throw new TypeError('cache must be a boolean or an options object');
  }
  return {
    limits: resolveCacheLimits(options),
    encrypt: options.encrypt ?? true,
    decrypt: options.decrypt ?? true,
  };
}

function strictness(options: EnvelopeEncryptionOptions): boolean {
  const { mode, strict } = options;
  if (mode !== undefined && mode !== 'strict' && mode !== 'migrate') {
    throw new TypeError(`mode must be 'strict' or 'migrate', got ${String(mode)}`);
  }
  if (strict !== undefined && typeof strict !== 'boolean') {
    throw new TypeError('strict must be a boolean');
  }
  if (mode !== undefined && strict !== undefined && strict !== (mode === 'strict')) {
    throw new TypeError(`strict: ${strict} contradicts mode: '${mode}'`);
  }
  return mode === undefined ? (strict ?? true) : mode === 'strict';
}

/** Validates the options once, when the wrapper is built. */
export function resolveEnvelopeSettings(options: EnvelopeEncryptionOptions): EnvelopeSettings {
  const keyring = options?.keyring;
  if (
    !keyring ||
    typeof keyring.generateDataKey !== 'function' ||
    typeof keyring.unwrapDataKey !== 'function'
  ) {
    throw new TypeError('withEnvelopeEncryption: keyring is required');
  }
  const taskFields = options.taskFields ?? [];
  for (const field of taskFields) {
    if (!TASK_FIELDS.includes(field)) {
      throw new TypeError(
        `taskFields: ${JSON.stringify(field)} is not one of ${TASK_FIELDS.join(', ')}`,
      );
    }
  }
  const keys = new DataKeySource(keyring, cachePolicy(options.cache));
  return {
    sealer: new RecordSealer(keys),
    recordSealer: new RecordEnvelopeSealer(keys),
    taskFields: new Set(taskFields),
    strict: strictness(options),
    hooks: options.hooks ?? {},
    scopeResolver: options.scopeResolver,
    defaultResolver: options.scopeResolver ?? defaultScopeResolver(),
    closed: false,
  };
}

/**
 * How an encrypted store learns the scope of a call: from the inner store when it exposes
 * `scopeOf` (core's stores), so the ciphertext is bound to exactly the scope the store
 * partitions by; otherwise from the configured (or default) resolver.
 */
export function scopeFunction(
  inner: object,
  settings: EnvelopeSettings,
  what: string,
): (context: ServerCallContext) => Scope {
  const own = (inner as { scopeOf?: unknown }).scopeOf;
  if (typeof own === 'function') {
    if (settings.scopeResolver) {
      throw new TypeError(
        `${what} resolves scopes itself (scopeOf); configure scopeResolver on the adapter, not on withEnvelopeEncryption`,
      );
    }
    return (context) => {
      if (settings.closed) throw new StoreClosedError();
      return (own as (context: ServerCallContext) => Scope).call(inner, context);
    };
  }
  return (context) => {
    if (settings.closed) throw new StoreClosedError();
    return resolveScope(settings.defaultResolver, context);
  };
}

/** Reports plaintext read in migration mode. */
export function plaintextReporter(settings: EnvelopeSettings, kind: PlaintextReadEvent['kind']) {
  return (scope: Scope, recordId: string, field: string): void =>
    fireHook(settings.hooks.onPlaintextRead, { kind, scope, recordId, field });
}
