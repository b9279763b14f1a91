import type { MigrationResult } from '../contracts.js';
import { SchemaNotMigratedError } from '../errors.js';

/** One versioned schema step of a SQL adapter. Ids sort in the order the steps apply. */
export interface SqlMigration {
  /** Stable id recorded in the ledger, e.g. `'0001_tasks'`. Never renamed once released. */
  readonly id: string;
  /** Statements run in order; the adapter decides how they are grouped into transactions. */
  readonly statements: readonly string[];
}

/**
 * The ledger as one adapter sees it while it holds its migration lock: the ids already applied,
 * and a way to apply one step and record it (atomically when the database allows DDL in a
 * transaction).
 */
export interface MigrationLedger {
  applied(): Promise<readonly string[]>;
  apply(migration: SqlMigration): Promise<void>;
}

/** The known migrations the ledger does not list, in order. */
export function missingMigrationIds(
  all: readonly SqlMigration[],
  applied: Iterable<string>,
): string[] {
  const done = new Set(applied);
  return all.filter((m) => !done.has(m.id)).map((m) => m.id);
}

/**
 * Applies the pending steps in order through `ledger`. The caller holds the adapter's migration
 * lock (advisory lock, GET_LOCK...) around this call, so concurrent workers apply each step once.
 * Ids the ledger holds that this version does not know (a newer release migrated) are kept in
 * `current` and ignored.
 */
export async function applyPendingMigrations(
  all: readonly SqlMigration[],
  ledger: MigrationLedger,
): Promise<MigrationResult> {
  const before = await ledger.applied();
  const pendingIds = new Set(missingMigrationIds(all, before));
  const applied: string[] = [];
  for (const migration of all) {
    if (!pendingIds.has(migration.id)) continue;
    await ledger.apply(migration);
    applied.push(migration.id);
  }
  const current = [...new Set([...before, ...applied])].sort();
  return { applied, current };
}

/**
 * Guards a store against an unmigrated or older schema without a query per call: the first call
 * asks `findMissing` which known migrations the ledger lacks; success is cached for the life of
 * the store, failure is not (so a `migrate()` run elsewhere is picked up by the next call).
 * Concurrent first calls share one check.
 */
export class SchemaGate {
  private checked = false;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly adapter: string,
    private readonly findMissing: () => Promise<readonly string[]>,
  ) {}

  /** True once the schema was found complete (or `markReady` was called). */
  get ready(): boolean {
    return this.checked;
  }

  /** Resolves when the schema is complete; throws `SchemaNotMigratedError` naming what is missing. */
  ensure(): Promise<void> {
    if (this.checked) return Promise.resolve();
    this.pending ??= this.runCheck().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Called after this process migrated, so the next call needs no check. */
  markReady(): void {
    this.checked = true;
  }

  /** Forget a cached success, e.g. when a query found a table missing after all. */
  reset(): void {
    this.checked = false;
  }

  private async runCheck(): Promise<void> {
    const missing = await this.findMissing();
    if (missing.length > 0) throw new SchemaNotMigratedError(this.adapter, missing);
    this.checked = true;
  }
}
