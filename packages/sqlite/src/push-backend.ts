import type { EncodedPushConfig, PushConfigBackend, PushPutOutcome, Scope } from '@a2a-stores/core';
import type { SqliteSession } from './session.js';
import { pushStatements } from './sql.js';

interface Census {
  readonly count: number;
  readonly present: number;
}

/**
 * Push configs in SQLite, in registration order (`seq`; a replace takes a new, highest `seq`).
 * The cap check and the write run in one `BEGIN IMMEDIATE` transaction, so two writers (in this
 * process or another) can never both take the last free slot.
 */
export class SqlitePushConfigBackend implements PushConfigBackend {
  private readonly session: SqliteSession;
  private readonly sql: ReturnType<typeof pushStatements>;
  private readonly putTransaction;

  constructor(session: SqliteSession) {
    this.session = session;
    this.sql = pushStatements(session.names);
    this.putTransaction = session.db.transaction(this.putNow.bind(this));
  }

  async put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
  ): Promise<PushPutOutcome> {
    return this.session.write(() =>
      this.putTransaction.immediate(scope, taskId, config, maxPerTask),
    );
  }

  async list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    return this.session.run(
      () =>
        this.session
          .statement(this.sql.list)
          .all({ tenant: scope.tenant, owner: scope.owner, taskId }) as EncodedPushConfig[],
    );
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    await this.session.write(() =>
      this.session
        .statement(this.sql.delete)
        .run({ tenant: scope.tenant, owner: scope.owner, taskId, id: configId }),
    );
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    await this.session.write(() =>
      this.session
        .statement(this.sql.deleteAll)
        .run({ tenant: scope.tenant, owner: scope.owner, taskId }),
    );
  }

  private putNow(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
  ): PushPutOutcome {
    const params = {
      tenant: scope.tenant,
      owner: scope.owner,
      taskId,
      id: config.id,
      wireVersion: config.wireVersion,
      json: config.json,
    };
    const census = this.session.statement(this.sql.census).get(params) as Census;
    if (census.present === 0 && census.count >= maxPerTask) return 'limit';
    this.session.statement(this.sql.upsert).run(params);
    return 'written';
  }
}
