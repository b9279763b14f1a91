import { SchemaNotMigratedError, StoreError } from './errors.js';

/**
 * What a store bundle's `health()` reports. It never throws: an unreachable or misconfigured
 * store is a result with `healthy: false`, so a `/healthz` route can answer from it directly.
 */
export interface StoreHealth {
  /** Reachable and schema current: the stores can serve calls. */
  readonly healthy: boolean;
  /** The store answered (connection, authentication and database are fine). */
  readonly reachable: boolean;
  /** The migration ledger lists every migration this package needs. False when unknown. */
  readonly schemaCurrent: boolean;
  /** Migration ids the ledger lacks (empty when current or when the store was not reachable). */
  readonly pendingMigrations: readonly string[];
  /** Time the check took, in milliseconds (rounded to microseconds). */
  readonly latencyMs: number;
  /**
   * Why it is unhealthy: a store error code (`STORE_UNAVAILABLE`, `STORE_CONFIGURATION`,
   * `SCHEMA_NOT_MIGRATED`, `STORE_CLOSED`...) or `UNKNOWN`, and the error's message. Absent when
   * healthy. Meant for operators and logs, not for untrusted callers.
   */
  readonly problem?: { readonly code: string; readonly message: string };
}

/**
 * Runs `adapter`'s (e.g. `'PostgreSQL'`) health probe and turns its outcome into a {@link StoreHealth}, timing it.
 * `probe` resolves the migration ids the ledger lacks (reading the ledger is the round trip that
 * proves the store reachable) and may throw anything: a `SchemaNotMigratedError` counts as
 * reachable with pending migrations, any other error as unreachable.
 */
export async function measureHealth(
  adapter: string,
  probe: () => Promise<readonly string[]>,
  clock: () => number = () => performance.now(),
): Promise<StoreHealth> {
  const started = clock();
  const elapsed = () => Math.round((clock() - started) * 1000) / 1000;
  try {
    const pending = [...(await probe())];
    const latencyMs = elapsed();
    if (pending.length === 0) {
      return {
        healthy: true,
        reachable: true,
        schemaCurrent: true,
        pendingMigrations: [],
        latencyMs,
      };
    }
    const problem = new SchemaNotMigratedError(adapter, pending);
    return {
      healthy: false,
      reachable: true,
      schemaCurrent: false,
      pendingMigrations: pending,
      latencyMs,
      problem: { code: problem.code, message: problem.message },
    };
  } catch (error) {
    const latencyMs = elapsed();
    const code = error instanceof StoreError ? error.code : 'UNKNOWN';
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SchemaNotMigratedError) {
      return {
        healthy: false,
        reachable: true,
        schemaCurrent: false,
        pendingMigrations: [...error.missing],
        latencyMs,
        problem: { code, message },
      };
    }
    return {
      healthy: false,
      reachable: false,
      schemaCurrent: false,
      pendingMigrations: [],
      latencyMs,
      problem: { code, message },
    };
  }
}
