import type {
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  PolledMessage,
  PollingStorePort,
} from '@a2a-stores/core';
import { StoreClosedError } from '@a2a-stores/core';
import type BetterSqlite3 from 'better-sqlite3';
import { toStoreError } from '../driver-errors.js';
import type { SqliteDatabase } from '../options.js';
import type { SchemaNames } from '../sql.js';
import { coordinationStatements, type LeaseRow } from './coordination-sql.js';

type Statements = {
  [K in keyof ReturnType<typeof coordinationStatements>]: BetterSqlite3.Statement;
};

function leaseRecord(row: LeaseRow, now: number): LeaseRecord {
  return {
    key: row.key,
    scope: { tenant: row.tenant, owner: row.owner },
    taskId: row.taskId,
    holder: row.holder,
    token: row.token,
    expiresAt: row.expiresAt,
    live: row.expiresAt > now,
  };
}

/**
 * The polling port on one better-sqlite3 connection. Lease decisions run in `BEGIN IMMEDIATE`
 * transactions: the write lock is taken before the row is read, so two processes racing for one
 * lease are serialised by SQLite and the second sees the first one's row. Expiry is judged on
 * this machine's wall clock (`Date.now()`): SQLite has no server clock, and every process
 * sharing a file runs on the same machine.
 */
export class SqlitePollingPort implements PollingStorePort {
  readonly name = 'sqlite-polling';
  readonly #db: SqliteDatabase;
  readonly #names: SchemaNames;
  readonly #owned: boolean;
  #statements: Statements | undefined;
  #closed = false;

  constructor(db: SqliteDatabase, names: SchemaNames, owned: boolean) {
    this.#db = db;
    this.#names = names;
    this.#owned = owned;
  }

  async acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    return this.#run((s) =>
      this.#db
        .transaction((): LeaseAcquireResult => {
          const now = Date.now();
          const row = s.readLease.get(request.key) as LeaseRow | undefined;
          if (row !== undefined && row.expiresAt > now && row.holder !== request.holder) {
            return { acquired: false, current: leaseRecord(row, now) };
          }
          const expiresAt = now + ttlMs;
          s.writeLease.run(
            request.key,
            request.scope.tenant,
            request.scope.owner,
            request.taskId,
            request.holder,
            request.token,
            expiresAt,
          );
          return { acquired: true, expiresAt };
        })
        .immediate(),
    );
  }

  async renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    return this.#run((s) => s.renewLease.run(Date.now() + ttlMs, key, holder, token).changes === 1);
  }

  async releaseLease(key: string, holder: string, token: string): Promise<void> {
    this.#run((s) => s.releaseLease.run(key, holder, token));
  }

  async readLease(key: string): Promise<LeaseRecord | undefined> {
    return this.#run((s) => {
      const row = s.readLease.get(key) as LeaseRow | undefined;
      return row === undefined ? undefined : leaseRecord(row, Date.now());
    });
  }

  async claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    return this.#run((s) =>
      this.#db
        .transaction((): LeaseRecord[] => {
          const now = Date.now();
          const rows = s.expiredLeases.all(now, limit) as LeaseRow[];
          for (const row of rows) s.takeLease.run(holder, token, now + ttlMs, row.key);
          return rows.map((row) => leaseRecord(row, now));
        })
        .immediate(),
    );
  }

  async appendMessage(channel: string, payload: string): Promise<number> {
    return this.#run((s) =>
      Number(s.appendMessage.run(channel, Date.now(), payload).lastInsertRowid),
    );
  }

  async readMessages(
    channels: readonly string[],
    afterId: number,
    limit: number,
  ): Promise<readonly PolledMessage[]> {
    return this.#run(
      (s) => s.readMessages.all(JSON.stringify(channels), afterId, limit) as PolledMessage[],
    );
  }

  async maxMessageId(): Promise<number> {
    return this.#run((s) => Number(s.maxMessageId.pluck().get()));
  }

  async deleteMessagesOlderThan(ageMs: number, limit: number): Promise<number> {
    return this.#run((s) => s.deleteOldMessages.run(Date.now() - ageMs, limit).changes);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#db.close();
  }

  #run<T>(work: (statements: Statements) => T): T {
    if (this.#closed) throw new StoreClosedError();
    try {
      return work(this.#prepared());
    } catch (error) {
      throw toStoreError(error, this.#db);
    }
  }

  #prepared(): Statements {
    if (this.#statements === undefined) {
      const text = coordinationStatements(this.#names);
      const prepared = {} as Record<string, BetterSqlite3.Statement>;
      for (const [name, sql] of Object.entries(text)) prepared[name] = this.#db.prepare(sql);
      this.#statements = prepared as Statements;
    }
    return this.#statements;
  }
}
