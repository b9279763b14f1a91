import { InvalidInputError, PayloadTooLargeError } from './errors.js';

/** Bounds checked before anything is written. */
export interface StoreLimits {
  /** Largest encoded task (JSON bytes, history and artifacts included). Default 4 MiB. */
  maxTaskBytes: number;
  /** Largest encoded push config. Default 16 KiB. */
  maxPushConfigBytes: number;
  /** Push configs per task. Default 100. */
  maxPushConfigsPerTask: number;
}

/** Ids (task, context, push config) are at most this many UTF-16 code units. */
export const MAX_ID_LENGTH = 255;

export const DEFAULT_LIMITS: Readonly<StoreLimits> = Object.freeze({
  maxTaskBytes: 4 * 1024 * 1024,
  maxPushConfigBytes: 16 * 1024,
  maxPushConfigsPerTask: 100,
});

/** Merges user limits over the defaults, refusing nonsense values up front. */
export function resolveLimits(limits: Partial<StoreLimits> | undefined): StoreLimits {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`limits.${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return merged;
}

/**
 * Refuses ids the backends cannot store faithfully: empty, over-long, or containing a NUL or a
 * lone surrogate (PostgreSQL text rejects NUL; lone surrogates do not survive UTF-8).
 */
export function assertValidId(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(`${what} must be a non-empty string`);
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidInputError(`${what} is longer than ${MAX_ID_LENGTH} characters`);
  }
  if (value.includes('\u0000') || !value.isWellFormed()) {
    throw new InvalidInputError(`${what} contains a NUL or an unpaired surrogate`);
  }
}

/** Optional id: absent or empty is allowed, otherwise the same rules as {@link assertValidId}. */
export function assertValidOptionalId(value: unknown, what: string): void {
  if (value === undefined || value === '') return;
  assertValidId(value, what);
}

export function assertSize(what: string, bytes: number, limit: number): void {
  if (bytes > limit) throw new PayloadTooLargeError(what, bytes, limit);
}
