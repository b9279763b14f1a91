import { missingMigrationIds, StoreUnavailableError } from '@a2a-stores/core';
import type { Executor } from './executor.js';
import { mysqlMigrations } from './migrations.js';
import { isMissingSchema } from './mysql-errors.js';
import type { TableNames } from './options.js';

/**
 * Room a statement needs beyond the payload it carries: SQL text, four keys of up to 765 bytes,
 * protocol framing.
 */
export const STATEMENT_OVERHEAD_BYTES = 64 * 1024;

/** The migrations the ledger lacks; all of them when there is no ledger yet. */
export async function missingMigrations(db: Executor, tables: TableNames): Promise<string[]> {
  const all = mysqlMigrations(tables);
  try {
    const rows = await db.select<{ id: unknown }>(`SELECT id FROM ${tables.migrations}`, []);
    return missingMigrationIds(
      all,
      rows.map((row) => String(row.id)),
    );
  } catch (error) {
    if (isMissingSchema(error)) return all.map((m) => m.id);
    throw error;
  }
}

interface ServerSettings {
  max_packet: number | string;
  client_charset: string | null;
  connection_charset: string | null;
  results_charset: string | null;
}

/**
 * Refuses to run where a write could fail halfway or be mangled: a task that passes core's size
 * limit must also fit in one packet (`max_allowed_packet`, 16 MiB by default on MariaDB, 64 MiB on
 * MySQL 8), and text must travel as utf8mb4 (another connection charset would turn emoji into
 * `?` or errors).
 */
export async function checkServerSettings(
  db: Executor,
  limits: { maxTaskBytes: number; maxPushConfigBytes: number },
): Promise<void> {
  const [settings] = await db.select<ServerSettings>(
    `SELECT @@max_allowed_packet AS max_packet, @@character_set_client AS client_charset,
            @@character_set_connection AS connection_charset, @@character_set_results AS results_charset`,
    [],
  );
  if (!settings) throw new StoreUnavailableError('MySQL returned no server settings');
  const maxPacket = Number(settings.max_packet);
  const largest = Math.max(limits.maxTaskBytes, limits.maxPushConfigBytes);
  if (maxPacket < largest + STATEMENT_OVERHEAD_BYTES) {
    throw new StoreUnavailableError(
      `MySQL max_allowed_packet is ${maxPacket} bytes, too small for limits.maxTaskBytes ${limits.maxTaskBytes} plus ${STATEMENT_OVERHEAD_BYTES} bytes of statement: raise max_allowed_packet on the server or lower limits.maxTaskBytes`,
    );
  }
  const charsets = [settings.client_charset, settings.connection_charset, settings.results_charset];
  if (charsets.some((charset) => charset !== 'utf8mb4')) {
    throw new StoreUnavailableError(
      `MySQL connection character sets are ${charsets.join('/')}; the stores need utf8mb4 (mysql2's default charset): remove the pool's charset option or set it to a utf8mb4 collation`,
    );
  }
}
