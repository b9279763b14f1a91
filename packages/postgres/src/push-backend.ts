import type { EncodedPushConfig, PushConfigBackend, PushPutOutcome, Scope } from '@a2a-stores/core';
import { type PgExecutor, type Statement, statement } from './executor.js';
import type { PostgresNames } from './options.js';

export interface PushStatements {
  readonly put: Statement;
  readonly list: Statement;
  readonly delete: Statement;
  readonly deleteAll: Statement;
}

export function pushStatements(names: PostgresNames): PushStatements {
  const t = names.pushConfigs;
  return {
    put: statement(
      `SELECT ${names.putPushConfig}($1, $2, $3, $4, $5, $6, $7::bigint, $8::bigint) AS written`,
    ),
    list: statement(
      `SELECT config_id, config, wire_version FROM ${t}
       WHERE tenant = $1 AND owner = $2 AND task_id = $3 ORDER BY seq`,
    ),
    delete: statement(
      `DELETE FROM ${t} WHERE tenant = $1 AND owner = $2 AND task_id = $3 AND config_id = $4`,
    ),
    deleteAll: statement(`DELETE FROM ${t} WHERE tenant = $1 AND owner = $2 AND task_id = $3`),
  };
}

interface ConfigRecord {
  readonly config_id: string;
  readonly config: string;
  readonly wire_version: string;
}

/**
 * {@link PushConfigBackend} over PostgreSQL. `put` is one call of a function created by
 * `migrate()`, which holds a per-task lock while it checks the cap and writes.
 */
export class PostgresPushConfigBackend implements PushConfigBackend {
  constructor(
    private readonly db: PgExecutor,
    private readonly sql: PushStatements,
  ) {}

  async put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
    now: number,
  ): Promise<PushPutOutcome> {
    const [result] = await this.db.query<{ written: boolean }>(this.sql.put, [
      scope.tenant,
      scope.owner,
      taskId,
      config.id,
      config.json,
      config.wireVersion,
      maxPerTask,
      now,
    ]);
    return result?.written ? 'written' : 'limit';
  }

  async list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    const rows = await this.db.query<ConfigRecord>(this.sql.list, [
      scope.tenant,
      scope.owner,
      taskId,
    ]);
    return rows.map((r) => ({ id: r.config_id, json: r.config, wireVersion: r.wire_version }));
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    await this.db.query(this.sql.delete, [scope.tenant, scope.owner, taskId, configId]);
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    await this.db.query(this.sql.deleteAll, [scope.tenant, scope.owner, taskId]);
  }
}
