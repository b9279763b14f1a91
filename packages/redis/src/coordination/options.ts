import type { StoreLogger } from '@a2a-stores/core';
import type { RedisConnection } from '../options.js';

/** Tuning of {@link createRedisCoordination}; every field is optional. */
export interface RedisCoordinationSettings {
  /**
   * Start of every key and channel name (default `'a2a:'`, the stores' default). Use the same
   * prefix as the stores of the same agent. Must not contain `{` or `}`.
   */
  readonly keyPrefix?: string;
  /** Told about subscriber connection trouble and listeners that throw; never message content. */
  readonly logger?: StoreLogger;
  /**
   * How long an expired lease stays readable and claimable after its expiry, in ms (default 24
   * hours). A lease no worker swept within this time is dropped by Redis (its PX) and its task
   * is no longer recovered.
   */
  readonly expiredLeaseRetentionMs?: number;
  /**
   * How long `subscribe` waits for the subscriber connection to become ready before failing
   * with `StoreUnavailableError`, in ms (default 5000).
   */
  readonly subscribeTimeoutMs?: number;
}

/**
 * Options of {@link createRedisCoordination}: where Redis is (your client, never quit by the
 * backend; a URL; or Cluster startup nodes) and the settings.
 */
export type RedisCoordinationOptions = RedisConnection & RedisCoordinationSettings;

export const DEFAULT_EXPIRED_LEASE_RETENTION_MS = 24 * 3600 * 1000;
export const DEFAULT_SUBSCRIBE_TIMEOUT_MS = 5_000;

export interface ResolvedCoordinationSettings {
  readonly expiredLeaseRetentionMs: number;
  readonly subscribeTimeoutMs: number;
}

function integerIn(name: string, value: number | undefined, fallback: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new TypeError(`${name} must be an integer between 1 and ${max}, got ${String(value)}`);
  }
  return value;
}

/** Validates the settings, so a bad configuration fails at startup naming the option. */
export function resolveCoordinationSettings(
  settings: RedisCoordinationSettings,
): ResolvedCoordinationSettings {
  return {
    expiredLeaseRetentionMs: integerIn(
      'expiredLeaseRetentionMs',
      settings.expiredLeaseRetentionMs,
      DEFAULT_EXPIRED_LEASE_RETENTION_MS,
      365 * 24 * 3600 * 1000,
    ),
    subscribeTimeoutMs: integerIn(
      'subscribeTimeoutMs',
      settings.subscribeTimeoutMs,
      DEFAULT_SUBSCRIBE_TIMEOUT_MS,
      600_000,
    ),
  };
}

/** Lease ttls and claim limits core passes: whole positive milliseconds and counts. */
export function assertPositiveInteger(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer between 1 and ${max}, got ${String(value)}`);
  }
}
