import type { LeaseAcquireResult, LeaseRecord, LeaseRequest } from '../coordination-backend.js';

/** One row of the message table, as a poll reads it. */
export interface PolledMessage {
  /** Assigned by the database on insert; increasing in commit order only where the engine says so. */
  readonly id: number;
  readonly channel: string;
  /** The message, or null when `channel` was not among the channels the read asked for. */
  readonly payload: string | null;
}

/**
 * What a SQL engine without a push channel provides so {@link PollingCoordination} can run over
 * it: the lease statements (each atomic on its own) and an append-only message table. Every
 * method may reject with `StoreUnavailableError`; nothing here keeps state between calls.
 */
export interface PollingStorePort {
  /** Transport name in logs and errors, e.g. `sqlite-polling`. */
  readonly name: string;
  acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult>;
  renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, holder: string, token: string): Promise<void>;
  readLease(key: string): Promise<LeaseRecord | undefined>;
  claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]>;
  /** Inserts one message and returns its id (larger than every id committed before the call). */
  appendMessage(channel: string, payload: string): Promise<number>;
  /**
   * Up to `limit` messages of every channel with an id above `afterId`, in id order. Rows of
   * channels not in `channels` come with a null payload: the poller needs their ids to see that
   * the id sequence has no hole, not their content.
   */
  readMessages(
    channels: readonly string[],
    afterId: number,
    limit: number,
  ): Promise<readonly PolledMessage[]>;
  /** The largest id in the table, 0 when it is empty. */
  maxMessageId(): Promise<number>;
  /**
   * Deletes up to `limit` of the oldest messages written more than `ageMs` ago (on the
   * database's clock when it has one) and returns how many it deleted.
   */
  deleteMessagesOlderThan(ageMs: number, limit: number): Promise<number>;
  /** Ends what the port created (a connection it opened, never one the user passed). */
  close(): Promise<void>;
}
