import { createHash } from 'node:crypto';

/**
 * Lease key layout. Leases live in buckets: `<prefix>{co:<n>}:` is a bucket base, and a lease
 * and the bucket's expiry index share the bucket's hash tag, so one script touches a lease and
 * its index entry atomically on one Cluster slot. A lease's bucket is a digest of its key, so
 * every worker finds it in the same place.
 *
 * Under a bucket base:
 * - `l:<lease key>`  hash: holder, token, expiresAt (server ms), scope (JSON [tenant, owner]),
 *                    taskId; PX = lease ttl + expired-lease retention
 * - `leases`         zset lease key by expiresAt: what `claimExpiredLeases` scans
 *
 * Scope tags are 22 base64url characters, never `co:<n>`, so no bucket base is a scope's base.
 */

/**
 * Buckets on a Redis Cluster: spreads the sweep and the index over up to this many slots (and
 * so nodes). A standalone server has one bucket: there is nothing to spread, and one sweep is
 * one script call. The count is a property of the server mode, so every worker agrees on it.
 */
export const CLUSTER_LEASE_BUCKETS = 16;

export function leaseBucketCount(isCluster: boolean): number {
  return isCluster ? CLUSTER_LEASE_BUCKETS : 1;
}

/** The bucket of a lease key: a digest, so keys spread evenly whatever their shape. */
export function leaseBucket(leaseKey: string, buckets: number): number {
  if (buckets === 1) return 0;
  return createHash('sha256').update(leaseKey).digest().readUInt32BE(0) % buckets;
}

/** `<prefix>{co:<n>}:`: the script routing key every lease key of the bucket is derived from. */
export function leaseBucketBase(prefix: string, bucket: number): string {
  return `${prefix}{co:${bucket}}:`;
}

/** The hash of one lease (for tests and diagnostics: scripts derive it from the base). */
export function leaseHashKey(prefix: string, leaseKey: string, buckets: number): string {
  return `${leaseBucketBase(prefix, leaseBucket(leaseKey, buckets))}l:${leaseKey}`;
}

/**
 * The wire channel of a core channel. Plain pub/sub channels ignore slots, so no hash tag is
 * needed for delivery; {@link publishRoutingKey} pins where a Cluster publish enters.
 */
export function wireChannel(prefix: string, channel: string): string {
  return `${prefix}ch:${channel}`;
}

/**
 * A key (never written) whose slot decides the Cluster node a channel's messages are published
 * through: one node per channel, so one publisher's messages enter the cluster bus in order.
 */
export function publishRoutingKey(prefix: string, channel: string): string {
  const tag = createHash('sha256').update(channel).digest('base64url').slice(0, 22);
  return `${prefix}{ch:${tag}}`;
}
