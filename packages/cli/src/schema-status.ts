import { ServerCallContext } from '@a2a-js/sdk/server';
import type { SqlMigration, StoreBundle, StoreHealth } from '@a2a-stores/core';

/** Which migrations the target has and which it lacks. */
export interface SchemaStatus {
  /** Known migration ids already applied, in order (undefined when the adapter lists none). */
  readonly applied: readonly string[] | undefined;
  /** Migration ids the target still needs, in order. */
  readonly pending: readonly string[];
}

/** An id no real task has (ids are at most 255 chars of any text; this one is never written). */
const PROBE_TASK_ID = 'a2a-stores-cli:schema-probe';

/**
 * Asks the target which migrations it lacks without changing anything. A bundle with `health()`
 * answers from its ledger (for Redis: the format stamp `migrate()` writes, which a task read
 * does not need). Otherwise every adapter checks its schema on first use and answers an
 * unmigrated one with `SchemaNotMigratedError` listing the missing ids, so one read of a task
 * that does not exist tells us. Any other error (unreachable, auth) propagates.
 */
export async function readSchemaStatus(
  bundle: StoreBundle,
  migrations: readonly SqlMigration[] | undefined,
): Promise<SchemaStatus> {
  let pending: readonly string[] = [];
  if (bundle.health) {
    pending = await pendingFromHealth(bundle.health.bind(bundle));
    return withApplied(pending, migrations);
  }
  try {
    await bundle.taskStore.load(PROBE_TASK_ID, new ServerCallContext());
  } catch (error) {
    const { code, missing } = error as { code?: unknown; missing?: unknown };
    if (code !== 'SCHEMA_NOT_MIGRATED') throw error;
    pending = Array.isArray(missing) ? missing.map(String) : [];
  }
  return withApplied(pending, migrations);
}

function withApplied(
  pending: readonly string[],
  migrations: readonly SqlMigration[] | undefined,
): SchemaStatus {
  if (migrations === undefined) return { applied: undefined, pending };
  const missing = new Set(pending);
  return { applied: migrations.map((m) => m.id).filter((id) => !missing.has(id)), pending };
}

/**
 * The pending ids a health check found; an unreachable or misconfigured target is an error
 * (health() never throws, so the problem is rethrown here with its code for the exit code).
 */
async function pendingFromHealth(health: () => Promise<StoreHealth>): Promise<readonly string[]> {
  const result = await health();
  if (result.reachable) return result.pendingMigrations;
  const problem = result.problem ?? { code: 'UNKNOWN', message: 'the store did not answer' };
  throw Object.assign(new Error(problem.message), { code: problem.code });
}
