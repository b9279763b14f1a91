import { type PgExecutor, type Statement, statement } from '../executor.js';
import type { PostgresNames } from '../options.js';
import { inlineFrame, MAX_INLINE_FRAME_BYTES } from './frames.js';
import { assertMessage, assertName } from './validate.js';

/** Spilled rows older than this are deleted by later publishers: far past any delivery. */
const SPILL_RETENTION_MS = 60_000;
/** Rows one publish deletes at most, so cleanup never makes a publish slow. */
const SPILL_CLEANUP_BATCH = 100;

export interface PublishStatements {
  readonly notify: Statement;
  readonly spill: Statement;
  readonly fetchSpilled: Statement;
}

export function publishStatements(names: PostgresNames): PublishStatements {
  return {
    notify: statement('SELECT pg_notify($1, $2)'),
    // One statement, so one transaction: the row is visible exactly when the NOTIFY is delivered
    // (both at commit). Data-modifying CTEs run whether or not the main query reads them.
    spill: statement(`WITH cleanup AS (
        DELETE FROM ${names.spill} WHERE id IN (
          SELECT id FROM ${names.spill}
          WHERE created_at < clock_timestamp() - $4::float8 * interval '1 millisecond'
          ORDER BY created_at
          LIMIT $5
          FOR UPDATE SKIP LOCKED)
      ), stored AS (
        INSERT INTO ${names.spill} (channel, payload) VALUES ($1, $2) RETURNING id
      )
      SELECT pg_notify($3, 's' || stored.id || ':' || $1) FROM stored`),
    fetchSpilled: statement(`SELECT channel, payload FROM ${names.spill} WHERE id = $1`),
  };
}

/**
 * Publishes one backend's messages one after another: each waits until the previous one has
 * committed, and PostgreSQL delivers notifications in commit order, so a backend's messages
 * arrive in the order it published them, inline and spilled alike, though they go out on
 * different pooled connections.
 */
export class NotifyPublisher {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PgExecutor,
    private readonly sql: PublishStatements,
    private readonly notifyChannel: string,
  ) {}

  publish(channel: string, message: string): Promise<void> {
    assertName(channel, 'channel');
    assertMessage(message);
    const sent = this.tail.then(() => this.send(channel, message));
    // The chain goes on after a failed publish; the caller hears of the failure through `sent`.
    this.tail = sent.catch(() => {});
    return sent;
  }

  /** Resolves once every publish made so far has settled. */
  settled(): Promise<void> {
    return this.tail;
  }

  private async send(channel: string, message: string): Promise<void> {
    const frame = inlineFrame(channel, message);
    if (Buffer.byteLength(frame, 'utf8') <= MAX_INLINE_FRAME_BYTES) {
      await this.db.query(this.sql.notify, [this.notifyChannel, frame]);
      return;
    }
    await this.db.query(this.sql.spill, [
      channel,
      message,
      this.notifyChannel,
      SPILL_RETENTION_MS,
      SPILL_CLEANUP_BATCH,
    ]);
  }
}
