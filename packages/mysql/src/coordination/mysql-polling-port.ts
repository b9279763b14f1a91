import {
  type LeaseAcquireResult,
  type LeaseRecord,
  type LeaseRequest,
  type PolledMessage,
  type PollingStorePort,
  StoreClosedError,
} from '@a2a-stores/core';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { type Executor, executorOf, type SqlValue } from '../executor.js';
import { translateError } from '../mysql-errors.js';
import type { TableNames } from '../options.js';
import { coordinationStatements } from './coordination-sql.js';

interface LeaseRow {
  readonly key: Buffer | string;
  readonly tenant: Buffer | string;
  readonly owner: Buffer | string;
  readonly taskId: Buffer | string;
  readonly holder: Buffer | string;
  readonly token: Buffer | string;
  readonly expiresAt: number | string;
  readonly live: number | string;
}

interface MessageRow {
  readonly id: number | string;
  readonly channel: string;
  readonly payload: string | null;
}

const ER_LOCK_DEADLOCK = 1213;
const TRANSACTION_ATTEMPTS = 3;

/** VARBINARY columns come back as Buffers; they hold UTF-8. */
function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function leaseRecord(row: LeaseRow): LeaseRecord {
  return {
    key: text(row.key),
    scope: { tenant: text(row.tenant), owner: text(row.owner) },
    taskId: text(row.taskId),
    holder: text(row.holder),
    token: text(row.token),
    expiresAt: Number(row.expiresAt),
    live: Number(row.live) === 1,
  };
}

/** A LIMIT placeholder as a decimal string: MySQL 8.0.22+ refuses a DOUBLE there. */
function limitParam(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`bad LIMIT ${limit}`);
  return String(limit);
}

function isDeadlock(error: unknown): boolean {
  return (error as { errno?: unknown } | null)?.errno === ER_LOCK_DEADLOCK;
}

/**
 * The polling port on a mysql2 pool (MySQL 8.0+, MariaDB 10.6+). Expiry is judged on the
 * database clock (`UTC_TIMESTAMP(6)`), never on a worker's, so workers with skewed clocks agree.
 * Leases are decided by one atomic upsert; the sweep takes rows `FOR UPDATE SKIP LOCKED`.
 */
export class MysqlPollingPort implements PollingStorePort {
  readonly name = 'mysql-polling';
  readonly #pool: Pool;
  readonly #db: Executor;
  readonly #sql: ReturnType<typeof coordinationStatements>;
  readonly #owned: boolean;
  #closed = false;

  constructor(pool: Pool, tables: TableNames, owned: boolean) {
    this.#pool = pool;
    this.#db = executorOf(pool);
    this.#sql = coordinationStatements(tables);
    this.#owned = owned;
  }

  acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    return this.#transaction('acquireLease', async (db) => {
      const values: SqlValue[] = [
        request.key,
        request.scope.tenant,
        request.scope.owner,
        request.taskId,
        request.holder,
        request.token,
        ttlMs,
      ];
      await db.write(this.#sql.acquireLease, values);
      // Same transaction: the upsert's row lock is still held, so this reads its outcome.
      const [row] = await db.select<LeaseRow>(this.#sql.readLease, [request.key]);
      if (row === undefined) throw new Error('lease row missing after its upsert');
      const current = leaseRecord(row);
      if (current.holder === request.holder && current.token === request.token) {
        return { acquired: true, expiresAt: current.expiresAt };
      }
      return { acquired: false, current };
    });
  }

  renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    // affectedRows counts matched rows: mysql2 sets CLIENT_FOUND_ROWS by default.
    return this.#run('renewLease', async () => {
      const result = await this.#db.write(this.#sql.renewLease, [ttlMs, key, holder, token]);
      return result.affectedRows === 1;
    });
  }

  releaseLease(key: string, holder: string, token: string): Promise<void> {
    return this.#run('releaseLease', async () => {
      await this.#db.write(this.#sql.releaseLease, [key, holder, token]);
    });
  }

  readLease(key: string): Promise<LeaseRecord | undefined> {
    return this.#run('readLease', async () => {
      const [row] = await this.#db.select<LeaseRow>(this.#sql.readLease, [key]);
      return row === undefined ? undefined : leaseRecord(row);
    });
  }

  claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    return this.#transaction(
      'claimExpiredLeases',
      async (db) => {
        const rows = await db.select<LeaseRow>(this.#sql.expiredLeases, [limitParam(limit)]);
        if (rows.length === 0) return [];
        const records = rows.map(leaseRecord);
        await db.write(this.#sql.takeLeases(records.length), [
          holder,
          token,
          ttlMs,
          ...records.map((record) => record.key),
        ]);
        return records;
      },
      true,
    );
  }

  appendMessage(channel: string, payload: string): Promise<number> {
    return this.#run('publish', async () => {
      const result = await this.#db.write(this.#sql.appendMessage, [channel, payload]);
      return result.insertId;
    });
  }

  readMessages(
    channels: readonly string[],
    afterId: number,
    limit: number,
  ): Promise<readonly PolledMessage[]> {
    return this.#run('poll', async () => {
      const rows = await this.#db.select<MessageRow>(this.#sql.readMessages, [
        JSON.stringify(channels),
        afterId,
        limitParam(limit),
      ]);
      return rows.map((row) => ({
        id: Number(row.id),
        channel: row.channel,
        payload: row.payload,
      }));
    });
  }

  maxMessageId(): Promise<number> {
    return this.#run('subscribe', async () => {
      const [row] = await this.#db.select<{ id: number | string }>(this.#sql.maxMessageId, []);
      return Number(row?.id ?? 0);
    });
  }

  deleteMessagesOlderThan(ageMs: number, limit: number): Promise<number> {
    return this.#run('retention', async () => {
      const result = await this.#db.write(this.#sql.deleteOldMessages, [ageMs, limitParam(limit)]);
      return result.affectedRows;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#pool.end();
  }

  async #run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreClosedError();
    try {
      return await work();
    } catch (error) {
      throw translateError(error, operation);
    }
  }

  /**
   * Statements on one connection in one transaction, retried as a whole when InnoDB picks it as
   * a deadlock victim. `readCommitted`: the sweep's range scan then takes no gap locks, so it
   * does not hold up workers inserting new leases meanwhile.
   */
  #transaction<T>(
    operation: string,
    work: (db: Executor) => Promise<T>,
    readCommitted = false,
  ): Promise<T> {
    return this.#run(operation, async () => {
      for (let attempt = 1; ; attempt++) {
        const connection = await this.#pool.getConnection();
        try {
          return await this.#once(connection, work, readCommitted);
        } catch (error) {
          if (!isDeadlock(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        }
      }
    });
  }

  async #once<T>(
    connection: PoolConnection,
    work: (db: Executor) => Promise<T>,
    readCommitted: boolean,
  ): Promise<T> {
    let broken = false;
    try {
      if (readCommitted) await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await connection.beginTransaction();
      const result = await work(executorOf(connection));
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // A connection whose rollback failed must not go back to the pool mid-transaction.
      if (broken) connection.destroy();
      else connection.release();
    }
  }
}
