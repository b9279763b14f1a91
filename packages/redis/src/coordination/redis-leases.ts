import type { LeaseAcquireResult, LeaseRecord, LeaseRequest, Scope } from '@a2a-stores/core';
import type { RedisSession } from '../session.js';
import { leaseBucket, leaseBucketBase, leaseBucketCount } from './lease-keys.js';
import {
  acquireLeaseScript,
  claimExpiredLeasesScript,
  readLeaseScript,
  releaseLeaseScript,
  renewLeaseScript,
} from './lease-scripts.js';
import { assertPositiveInteger } from './options.js';

const MAX_TTL_MS = 365 * 24 * 3600 * 1000;
const MAX_CLAIM_LIMIT = 10_000;

function encodeScope(scope: Scope): string {
  return JSON.stringify([scope.tenant, scope.owner]);
}

function decodeScope(text: string): Scope {
  const [tenant, owner] = JSON.parse(text) as [string, string];
  return { tenant, owner };
}

/** A lease from script fields {holder, token, expiresAt, scope, taskId} read at server time `now`. */
function toRecord(key: string, fields: readonly string[], now: number): LeaseRecord {
  const [holder, token, expiresAt, scope, taskId] = fields as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expiry = Number(expiresAt);
  return {
    key,
    scope: decodeScope(scope),
    taskId,
    holder,
    token,
    expiresAt: expiry,
    live: expiry > now,
  };
}

/** Execution leases in Redis hashes with a per-bucket expiry index (see lease-keys.ts). */
export class RedisLeases {
  constructor(
    private readonly session: RedisSession,
    private readonly prefix: string,
    private readonly retentionMs: number,
  ) {}

  private get buckets(): number {
    return leaseBucketCount(this.session.client.isCluster);
  }

  private baseOf(key: string): string {
    return leaseBucketBase(this.prefix, leaseBucket(key, this.buckets));
  }

  async acquire(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    assertPositiveInteger('ttlMs', ttlMs, MAX_TTL_MS);
    const reply = (await this.session.call((client) =>
      acquireLeaseScript.run(
        client,
        [this.baseOf(request.key)],
        [
          request.key,
          encodeScope(request.scope),
          request.taskId,
          request.holder,
          request.token,
          ttlMs,
          this.retentionMs,
        ],
      ),
    )) as (string | number)[];
    if (Number(reply[0]) === 1) return { acquired: true, expiresAt: Number(reply[1]) };
    const fields = reply.slice(1).map(String);
    return { acquired: false, current: toRecord(request.key, fields, Number(fields[5])) };
  }

  async renew(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    assertPositiveInteger('ttlMs', ttlMs, MAX_TTL_MS);
    const reply = await this.session.call((client) =>
      renewLeaseScript.run(
        client,
        [this.baseOf(key)],
        [key, holder, token, ttlMs, this.retentionMs],
      ),
    );
    return Number(reply) === 1;
  }

  async release(key: string, holder: string, token: string): Promise<void> {
    await this.session.call((client) =>
      releaseLeaseScript.run(client, [this.baseOf(key)], [key, holder, token]),
    );
  }

  async read(key: string): Promise<LeaseRecord | undefined> {
    const reply = (await this.session.call((client) =>
      readLeaseScript.run(client, [this.baseOf(key)], [key]),
    )) as string[];
    if (reply.length === 0) return undefined;
    return toRecord(key, reply, Number(reply[5]));
  }

  /**
   * Sweeps the buckets one after another from a random one, so concurrent sweepers of a Cluster
   * start on different slots, until `limit` leases are claimed. Each bucket's claim is one
   * atomic script: that, not this loop, is what makes every expired lease go to one caller.
   */
  async claimExpired(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<LeaseRecord[]> {
    assertPositiveInteger('ttlMs', ttlMs, MAX_TTL_MS);
    assertPositiveInteger('limit', limit, MAX_CLAIM_LIMIT);
    const buckets = this.buckets;
    const first = Math.floor(Math.random() * buckets);
    const claimed: LeaseRecord[] = [];
    for (let i = 0; i < buckets && claimed.length < limit; i++) {
      const base = leaseBucketBase(this.prefix, (first + i) % buckets);
      const reply = (await this.session.call((client) =>
        claimExpiredLeasesScript.run(
          client,
          [base],
          [holder, token, ttlMs, this.retentionMs, limit - claimed.length],
        ),
      )) as string[];
      for (let at = 0; at + 6 <= reply.length; at += 6) {
        const [key, ...fields] = reply.slice(at, at + 6) as [string, ...string[]];
        // Every lease returned was expired when claimed, so it was not live.
        claimed.push(toRecord(key, fields, Number.POSITIVE_INFINITY));
      }
    }
    return claimed;
  }
}
