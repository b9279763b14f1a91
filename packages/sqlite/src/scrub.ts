import { StoreUnavailableError } from '@a2a-stores/core';
import type { SqliteDatabase } from './options.js';

/**
 * Rewrites the database so no bytes of deleted or overwritten rows remain in the file or its
 * WAL: `VACUUM` rebuilds the database from its live rows (free pages and free space inside pages
 * are not copied), then `wal_checkpoint(TRUNCATE)` moves every WAL frame into the database file
 * and truncates the WAL to zero bytes. Run it after sealing a store that held plaintext secrets
 * (`@a2a-stores/kms` in migrate mode): until then, old copies of the plaintext stay in free pages
 * and WAL frames. Takes the write lock for as long as the rebuild lasts.
 *
 * @throws StoreUnavailableError when another connection's reader kept the checkpoint from
 *   finishing (the WAL may still hold old frames): close other readers and run it again.
 */
export function scrubDatabase(db: SqliteDatabase): void {
  db.exec('VACUUM');
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  // Not in WAL mode (a database you passed): there is no WAL to clear, and VACUUM wrote in place.
  if (result && result.busy !== 0) {
    throw new StoreUnavailableError(
      'scrub: another connection kept the WAL checkpoint from finishing; old frames may remain',
    );
  }
}
