import {
  type EncodedPushConfig,
  InvalidInputError,
  type PushConfigBackend,
  type PushPutOutcome,
  type Scope,
} from '@a2a-stores/core';
import type { TableNames } from './options.js';
import type { SqlRunner } from './sql-runner.js';
import { decodeKey } from './task-backend.js';

/** Width of the wire_version column (a protocol version string such as `'0.3'` or `'1.0'`). */
export const MAX_WIRE_VERSION_LENGTH = 255;

class PushStatements {
  readonly claimSet: string;
  readonly census: string;
  readonly upsert: string;
  readonly list: string;
  readonly deleteOne: string;
  readonly deleteSet: string;
  readonly deleteAll: string;

  constructor(t: TableNames) {
    const key = 'tenant = ? AND owner = ? AND task_id = ?';
    /*
     * The task's config-set row is the lock every config write of that task takes first, so the
     * cap check below cannot race another save under any isolation level (READ COMMITTED has no
     * gap locks to rely on). It also hands out the registration order: LAST_INSERT_ID(expr)
     * returns the bumped counter in the same round trip.
     */
    this.claimSet = `INSERT INTO ${t.pushConfigSets} (tenant, owner, task_id, next_seq) VALUES (?, ?, ?, 1)
ON DUPLICATE KEY UPDATE next_seq = LAST_INSERT_ID(next_seq + 1)`;
    // A locking read: it sees the latest committed configs even inside an older snapshot.
    this.census = `SELECT COUNT(*) AS n, COALESCE(MAX(config_id = ?), 0) AS present
FROM ${t.pushConfigs} WHERE ${key} FOR UPDATE`;
    this.upsert = `INSERT INTO ${t.pushConfigs} (tenant, owner, task_id, config_id, seq, wire_version, json, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE seq = VALUES(seq), wire_version = VALUES(wire_version), json = VALUES(json),
  updated_at = VALUES(updated_at)`;
    this.list = `SELECT config_id, wire_version, json FROM ${t.pushConfigs} WHERE ${key} ORDER BY seq`;
    this.deleteOne = `DELETE FROM ${t.pushConfigs} WHERE ${key} AND config_id = ?`;
    this.deleteSet = `DELETE FROM ${t.pushConfigSets} WHERE ${key}`;
    this.deleteAll = `DELETE FROM ${t.pushConfigs} WHERE ${key}`;
  }
}

/** MySQL/MariaDB implementation of core's PushConfigBackend. */
export class MysqlPushConfigBackend implements PushConfigBackend {
  private readonly sql: PushStatements;

  constructor(private readonly runner: SqlRunner) {
    this.sql = new PushStatements(runner.tables);
  }

  async put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
    now: number,
  ): Promise<PushPutOutcome> {
    if (config.wireVersion.length > MAX_WIRE_VERSION_LENGTH) {
      throw new InvalidInputError(
        `push config wire version is longer than ${MAX_WIRE_VERSION_LENGTH} characters`,
      );
    }
    const key = [scope.tenant, scope.owner, taskId];
    return this.runner.transaction('push config save', async (db) => {
      const claimed = await db.write(this.sql.claimSet, key);
      // A fresh set row reports insertId 0 (no LAST_INSERT_ID call): its first sequence is 1.
      const seq = claimed.insertId === 0 ? 1 : claimed.insertId;
      const [census] = await db.select<{ n: number | string; present: number | string }>(
        this.sql.census,
        [config.id, ...key],
      );
      const present = Number(census?.present ?? 0) === 1;
      if (!present && Number(census?.n ?? 0) >= maxPerTask) return 'limit';
      await db.write(this.sql.upsert, [
        ...key,
        config.id,
        seq,
        config.wireVersion,
        config.json,
        now,
      ]);
      return 'written';
    });
  }

  list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    return this.runner.run('push config load', async (db) => {
      const rows = await db.select<{
        config_id: Buffer | string;
        wire_version: string;
        json: unknown;
      }>(this.sql.list, [scope.tenant, scope.owner, taskId]);
      return rows.map((row) => ({
        id: decodeKey(row.config_id),
        wireVersion: row.wire_version,
        json: row.json as string,
      }));
    });
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    await this.runner.run('push config delete', (db) =>
      db.write(this.sql.deleteOne, [scope.tenant, scope.owner, taskId, configId]),
    );
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    const key = [scope.tenant, scope.owner, taskId];
    // Set row first, then configs: the order `put` locks them in, so the two cannot deadlock.
    await this.runner.transaction('push config delete', async (db) => {
      await db.write(this.sql.deleteSet, key);
      await db.write(this.sql.deleteAll, key);
    });
  }
}
