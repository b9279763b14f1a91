import type { LeaseAcquireResult, LeaseRecord, LeaseRequest } from '@a2a-stores/core';
import { StoreUnavailableError } from '@a2a-stores/core';
import type { PgExecutor } from '../executor.js';
import type { AcquireRow, LeaseRow, LeaseStatements } from './lease-sql.js';
import { assertLimit, assertName, assertTtl } from './validate.js';

/** How often `acquireLease` re-asks after a lease appeared or vanished during its statement. */
const ACQUIRE_ATTEMPTS = 5;

function recordOf(row: LeaseRow): LeaseRecord {
  return {
    key: row.key,
    scope: { tenant: row.tenant, owner: row.owner },
    taskId: row.task_id,
    holder: row.holder,
    token: row.token,
    expiresAt: Number(row.expires_ms),
    live: row.live,
  };
}

/** The lease half of the PostgreSQL coordination backend: rows in the leases table. */
export class PostgresLeases {
  constructor(
    private readonly db: PgExecutor,
    private readonly sql: LeaseStatements,
  ) {}

  async acquire(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    assertName(request?.key, 'key');
    assertName(request.scope?.tenant, 'scope.tenant', true);
    assertName(request.scope.owner, 'scope.owner', true);
    assertName(request.taskId, 'taskId');
    assertName(request.holder, 'holder');
    assertName(request.token, 'token');
    assertTtl(ttlMs);
    const values = [
      request.key,
      request.scope.tenant,
      request.scope.owner,
      request.taskId,
      request.holder,
      request.token,
      ttlMs,
    ];
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      const [row] = await this.db.query<AcquireRow>(this.sql.acquire, values);
      if (!row) continue;
      if (row.acquired) return { acquired: true, expiresAt: Number(row.expires_ms) };
      return { acquired: false, current: recordOf(row) };
    }
    // Only a key acquired and released by others in every attempt gets here.
    throw new StoreUnavailableError('PostgreSQL lease contention: acquireLease may be retried');
  }

  async renew(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    assertName(key, 'key');
    assertName(holder, 'holder');
    assertName(token, 'token');
    assertTtl(ttlMs);
    const rows = await this.db.query(this.sql.renew, [key, holder, token, ttlMs]);
    return rows.length === 1;
  }

  async release(key: string, holder: string, token: string): Promise<void> {
    assertName(key, 'key');
    assertName(holder, 'holder');
    assertName(token, 'token');
    await this.db.query(this.sql.release, [key, holder, token]);
  }

  async read(key: string): Promise<LeaseRecord | undefined> {
    assertName(key, 'key');
    const [row] = await this.db.query<LeaseRow>(this.sql.read, [key]);
    return row ? recordOf(row) : undefined;
  }

  async claimExpired(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    assertName(holder, 'holder');
    assertName(token, 'token');
    assertTtl(ttlMs);
    assertLimit(limit);
    const rows = await this.db.query<LeaseRow>(this.sql.claimExpired, [
      holder,
      token,
      ttlMs,
      limit,
    ]);
    return rows.map(recordOf);
  }
}
