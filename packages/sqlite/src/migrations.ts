import {
  type MigrationResult,
  missingMigrationIds,
  renderMigrationScript,
  type SqlMigration,
  sqlStringLiteral,
} from '@a2a-stores/core';
import { resolveTablePrefix, type SqliteDatabase } from './options.js';
import { type SchemaNames, schemaNames } from './sql.js';

/**
 * The schema, in order; ids are never renamed once released. Tables are STRICT so a bad value
 * fails loudly instead of being stored with another type. Rowid tables (not WITHOUT ROWID):
 * rows carry task bodies of up to megabytes, which WITHOUT ROWID handles poorly. `body` and
 * `artifacts` are the last columns so reading a row without artifacts stops before their
 * overflow pages.
 */
export function migrationsFor(n: SchemaNames): readonly SqlMigration[] {
  return [
    {
      id: '0001_initial_schema',
      statements: [
        `CREATE TABLE ${n.tasks} (
          tenant TEXT NOT NULL,
          owner TEXT NOT NULL,
          id TEXT NOT NULL,
          context_id TEXT NOT NULL,
          state INTEGER NOT NULL,
          sort_key INTEGER NOT NULL,
          version INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          body TEXT NOT NULL,
          artifacts TEXT NOT NULL,
          PRIMARY KEY (tenant, owner, id)
        ) STRICT`,
        `CREATE INDEX ${n.named('tasks_by_time')} ON ${n.tasks} (tenant, owner, sort_key DESC, id DESC)`,
        `CREATE INDEX ${n.named('tasks_by_context')} ON ${n.tasks} (tenant, owner, context_id, sort_key, id)`,
        `CREATE INDEX ${n.named('tasks_by_state')} ON ${n.tasks} (tenant, owner, state, sort_key, id)`,
        `CREATE INDEX ${n.named('tasks_purge')} ON ${n.tasks} (state, updated_at)`,
        `CREATE TABLE ${n.pushConfigs} (
          tenant TEXT NOT NULL,
          owner TEXT NOT NULL,
          task_id TEXT NOT NULL,
          id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          wire_version TEXT NOT NULL,
          json TEXT NOT NULL,
          PRIMARY KEY (tenant, owner, task_id, id)
        ) STRICT`,
        `CREATE INDEX ${n.named('push_configs_order')} ON ${n.pushConfigs} (tenant, owner, task_id, seq)`,
      ],
    },
    {
      // WITHOUT ROWID: small rows read and written only by their full key.
      id: '0002_task_counts',
      statements: [
        `CREATE TABLE ${n.counts} (
          tenant TEXT NOT NULL,
          owner TEXT NOT NULL,
          context_id TEXT NOT NULL,
          state INTEGER NOT NULL,
          n INTEGER NOT NULL,
          PRIMARY KEY (tenant, owner, context_id, state)
        ) STRICT, WITHOUT ROWID`,
        // Counts the tasks stored before this step, in the migration's transaction, so an
        // upgraded database starts exact. Same keys as core's taskCounterKeys: the scope
        // ('', 0), the state ('', state) unless 0, the context (context_id, 0) unless ''.
        `INSERT INTO ${n.counts} (tenant, owner, context_id, state, n)
          SELECT tenant, owner, '', 0, COUNT(*) FROM ${n.tasks} GROUP BY tenant, owner
          UNION ALL
          SELECT tenant, owner, '', state, COUNT(*) FROM ${n.tasks}
            WHERE state <> 0 GROUP BY tenant, owner, state
          UNION ALL
          SELECT tenant, owner, context_id, 0, COUNT(*) FROM ${n.tasks}
            WHERE context_id <> '' GROUP BY tenant, owner, context_id`,
      ],
    },
    {
      // Multi-worker coordination. Leases are read and written by key (WITHOUT ROWID); the
      // expiry index serves the sweep. Messages are AUTOINCREMENT so an id is never reused
      // after retention deleted the newest rows: pollers compare ids, not times.
      id: '0003_coordination',
      statements: [
        `CREATE TABLE ${n.leases} (
          lease_key TEXT NOT NULL PRIMARY KEY,
          tenant TEXT NOT NULL,
          owner TEXT NOT NULL,
          task_id TEXT NOT NULL,
          holder TEXT NOT NULL,
          token TEXT NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID`,
        `CREATE INDEX ${n.named('leases_by_expiry')} ON ${n.leases} (expires_at)`,
        `CREATE TABLE ${n.messages} (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          channel TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          payload TEXT NOT NULL
        ) STRICT`,
        `CREATE INDEX ${n.named('messages_by_age')} ON ${n.messages} (created_at)`,
      ],
    },
    {
      // Saves that only append (issue #20) store a segment instead of rewriting the task.
      // SQLite rewrites a row's whole record, overflow pages included, on any UPDATE that changes
      // its size, so a big task's base body and artifacts live in the segments table as seq 0
      // (`base_in_segments` = 1) and its tasks row stays small: an append then writes one small
      // row and one segment, never the task. A small task keeps its body in its row, so saving
      // and loading it take the statements they took before. The added columns land after
      // `artifacts`; rows written before this step lack them and read the defaults (0).
      id: '0004_task_segments',
      statements: [
        `ALTER TABLE ${n.tasks} ADD COLUMN segment_count INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE ${n.tasks} ADD COLUMN base_in_segments INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE ${n.tasks} ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0`,
        // Core's lineage of the last full write: an append applies only to the row core diffed.
        `ALTER TABLE ${n.tasks} ADD COLUMN lineage TEXT NOT NULL DEFAULT ''`,
        // A rowid table: segments and bases can be large (see the note on the tasks table).
        `CREATE TABLE ${n.segments} (
          tenant TEXT NOT NULL,
          owner TEXT NOT NULL,
          task_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          body TEXT NOT NULL,
          artifacts TEXT NOT NULL,
          PRIMARY KEY (tenant, owner, task_id, seq)
        ) STRICT`,
      ],
    },
    {
      // A large task's recent form (core's `RecentHistory`: its head and last messages, at most
      // 4 KiB), so `list` with a short `historyLength` reads it instead of the whole history
      // (issue #20). In the tasks row, not the segments table: an append that changes it sets
      // it in the UPDATE it already runs, and the row stays a few KiB. NULL for small tasks and
      // for rows written before this step: a list reads those whole, as before.
      id: '0005_task_recent',
      statements: [
        `ALTER TABLE ${n.tasks} ADD COLUMN recent TEXT`,
        // The largest historyLength the recent form answers exactly; NULL when there is none.
        `ALTER TABLE ${n.tasks} ADD COLUMN recent_reach INTEGER`,
      ],
    },
  ];
}

/**
 * The migrations for a table prefix, with their SQL: for tooling that shows what `migrate()`
 * would run (`a2a-stores migrate --dry-run`).
 *
 * @example
 * ```ts
 * import { sqliteMigrations } from '@a2a-stores/sqlite';
 * for (const step of sqliteMigrations()) console.log(step.id, step.statements.join(';\n'));
 * ```
 */
export function sqliteMigrations(tablePrefix?: string): readonly SqlMigration[] {
  return migrationsFor(schemaNames(resolveTablePrefix(tablePrefix)));
}

function appliedIds(db: SqliteDatabase, n: SchemaNames): string[] {
  const ledger = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(n.ledgerName);
  if (ledger === undefined) return [];
  return db.prepare(`SELECT id FROM ${n.ledger} ORDER BY id`).pluck().all() as string[];
}

/** Ids of the migrations this package needs that the database's ledger does not list. */
export function pendingMigrations(db: SqliteDatabase, n: SchemaNames): string[] {
  return missingMigrationIds(migrationsFor(n), appliedIds(db, n));
}

/** The ledger table: one row per applied step. */
function ledgerTableSql(n: SchemaNames): string {
  return `CREATE TABLE IF NOT EXISTS ${n.ledger} (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`;
}

/**
 * The complete script a DBA can apply with sqlite3 instead of running `migrate()`: the ledger,
 * every step and its ledger row, in one transaction. (The stores still set WAL and
 * `synchronous=FULL` themselves when they open the file.)
 *
 * @example
 * ```ts
 * import { sqliteMigrationScript } from '@a2a-stores/sqlite';
 * process.stdout.write(sqliteMigrationScript()); // | sqlite3 ./data/a2a.db
 * ```
 */
export function sqliteMigrationScript(tablePrefix?: string, now: number = Date.now()): string {
  const n = schemaNames(resolveTablePrefix(tablePrefix));
  return renderMigrationScript({
    target: `SQLite, table prefix ${JSON.stringify(resolveTablePrefix(tablePrefix))}`,
    setup: [ledgerTableSql(n)],
    migrations: migrationsFor(n),
    record: (id) =>
      `INSERT INTO ${n.ledger} (id, applied_at) VALUES (${sqlStringLiteral(id)}, ${now})`,
    transaction: { begin: 'BEGIN IMMEDIATE', commit: 'COMMIT' },
  });
}

/**
 * Applies the missing migrations and records each in the ledger, all in one `BEGIN IMMEDIATE`
 * transaction (SQLite DDL is transactional): a second process running it at the same time waits
 * for the write lock (up to the busy timeout), then finds the ledger complete and applies
 * nothing. Ids of a newer release found in the ledger are kept in `current` and ignored.
 */
export function applyMigrations(db: SqliteDatabase, n: SchemaNames, now: number): MigrationResult {
  const run = db.transaction((): MigrationResult => {
    db.exec(ledgerTableSql(n));
    const all = migrationsFor(n);
    const pending = new Set(missingMigrationIds(all, appliedIds(db, n)));
    const record = db.prepare(`INSERT INTO ${n.ledger} (id, applied_at) VALUES (?, ?)`);
    const applied: string[] = [];
    for (const migration of all) {
      if (!pending.has(migration.id)) continue;
      for (const statement of migration.statements) db.exec(statement);
      record.run(migration.id, now);
      applied.push(migration.id);
    }
    return { applied, current: appliedIds(db, n) };
  });
  return run.immediate();
}
