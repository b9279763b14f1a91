import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type EncodedTask,
  type EncodedTaskAppend,
  type ExpectedVersion,
  isKnownVersion,
  isTerminalState,
  type KnownTaskVersion,
  type PutOutcome,
  type RecentHistory,
  type Scope,
  type TaskBackend,
  type TaskRow,
  unchangedTaskRow,
} from '@a2a-stores/core';
import {
  contextKeyPart,
  decodeSortKey,
  encodeSortKey,
  indexMember,
  listIndexSuffix,
  scopeBase,
  taskKey,
} from './keys.js';
import { countPurgeableScript, purgeScopeScript } from './lua/purge-scripts.js';
import { appendTaskScript, getTaskWithSegmentsScript } from './lua/segment-scripts.js';
import { deleteTaskScript, listTasksScript, putTaskScript } from './lua/task-scripts.js';
import type { RedisSession } from './session.js';
import {
  GET_FIELDS,
  GET_FIELDS_WITH_ARTIFACTS,
  hasSegments,
  listRowsOf,
  type Reply,
  segmentedTaskRowOf,
  taskRowOf,
  VERSION_FIELDS,
} from './task-rows.js';

/** Expired tasks a write removes in passing: keeps write-only scopes tidy at a bounded cost. */
const WRITE_PRUNE_BATCH = 16;

function expectedArgument(expected: ExpectedVersion): string {
  if (expected === undefined) return '';
  if (expected === null) return 'absent';
  return String(expected);
}

/**
 * The recent form's two ARGV slots (see lua/write-steps.ts): undefined keeps the stored one, null
 * drops it, a value replaces it.
 */
function recentArguments(recent: RecentHistory | null | undefined): [string, string] {
  if (recent === undefined) return ['keep', ''];
  if (recent === null) return ['', ''];
  return [String(recent.reach), recent.text];
}

/**
 * Tasks in Redis. Every write is one Lua script over keys of one hash tag (one slot), so it is
 * atomic on a standalone server and in a cluster alike; reads by id are one HMGET (a second,
 * scripted read only for a task that has segments).
 */
export class RedisTaskBackend implements TaskBackend {
  constructor(private readonly session: RedisSession) {}

  get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    const { base } = this.session.scopes.of(scope);
    const key = taskKey(base, id);
    if (known) {
      // A look at the version first: the task is read only when something wrote it since,
      // which then costs this one round trip more.
      return this.session
        .call((client) => client.hmget(key, ...VERSION_FIELDS))
        .then(([version, sortKey, bytes, lineage]) => {
          if (version === null || version === undefined) return undefined;
          if (!isKnownVersion(Number(version), lineage, known)) {
            return this.get(scope, id, includeArtifacts);
          }
          return unchangedTaskRow(id, known, decodeSortKey(sortKey ?? ''), Number(bytes ?? 0));
        });
    }
    return includeArtifacts
      ? this.session
          .call((client) => client.hmget(key, ...GET_FIELDS_WITH_ARTIFACTS))
          .then((reply) =>
            hasSegments(reply) ? this.getWithSegments(base, id, true) : taskRowOf(id, reply, true),
          )
      : this.session
          .call((client) => client.hmget(key, ...GET_FIELDS))
          .then((reply) =>
            hasSegments(reply)
              ? this.getWithSegments(base, id, false)
              : taskRowOf(id, reply, false),
          );
  }

  /**
   * The task and its segments in one snapshot. The first read is not reused: a put between the
   * two reads may have replaced the body and dropped the segments, and mixing them would lose
   * or repeat changes.
   */
  private async getWithSegments(
    base: string,
    id: string,
    includeArtifacts: boolean,
  ): Promise<TaskRow | undefined> {
    const reply = (await this.session.call((client) =>
      getTaskWithSegmentsScript.run(client, base, [id, includeArtifacts ? '1' : '0']),
    )) as Reply;
    return segmentedTaskRowOf(id, reply, includeArtifacts);
  }

  async put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    const { base, tag } = this.session.scopes.of(scope);
    await this.session.registerScope(tag);
    const reply = (await this.session.call((client) =>
      putTaskScript.run(
        client,
        base,
        // A full write stores the task's recent form or none: never an older one.
        this.writeArguments(
          task,
          expectedArgument(expected),
          task.body,
          task.artifacts,
          task.recent ?? null,
          now,
        ),
      ),
    )) as Reply;
    return this.outcomeOf(base, reply);
  }

  async append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    // The row exists (else `conflict`), so its scope is registered already.
    const { base } = this.session.scopes.of(scope);
    const reply = (await this.session.call((client) =>
      appendTaskScript.run(
        client,
        base,
        this.writeArguments(
          task,
          String(expected),
          task.segment.body,
          task.segment.artifacts,
          task.recent,
          now,
        ),
      ),
    )) as Reply;
    return this.outcomeOf(base, reply);
  }

  /**
   * The ARGV of both write scripts, in the one layout their shared prologue reads (see
   * lua/write-steps.ts): the expected version, the two payload slots (a full write's body
   * and artifacts, or an append's segment) and the recent form as given.
   */
  private writeArguments(
    task: EncodedTask | EncodedTaskAppend,
    expected: string,
    body: string,
    artifacts: string,
    recent: RecentHistory | null | undefined,
    now: number,
  ): string[] {
    return [
      task.id,
      expected,
      String(task.state),
      contextKeyPart(task.contextId),
      encodeSortKey(task.sortKey),
      body,
      artifacts,
      isTerminalState(task.state) ? '1' : '0',
      String(now),
      String(this.session.options.finishedTaskTtl),
      String(WRITE_PRUNE_BATCH),
      String(task.bytes),
      task.lineage,
      ...recentArguments(recent),
    ];
  }

  /** The outcome of a put or append script; waits for replicas after a write when asked to. */
  private async outcomeOf(base: string, reply: Reply): Promise<PutOutcome> {
    if (reply[0] === 'conflict') return { status: 'conflict' };
    if (reply[0] === 'stale') return { status: 'stale', storedState: Number(reply[1]) };
    if (this.session.options.waitForReplicas) await this.session.awaitReplicas(base);
    return { status: 'written', version: Number(reply[1]) };
  }

  async delete(scope: Scope, id: string): Promise<boolean> {
    const { base } = this.session.scopes.of(scope);
    const existed = await this.session.call((client) =>
      deleteTaskScript.run(client, base, [id, String(WRITE_PRUNE_BATCH)]),
    );
    await this.session.awaitReplicas(base);
    return existed === 1;
  }

  async list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    const { base } = this.session.scopes.of(scope);
    const args = [
      listIndexSuffix(query.contextId, query.state),
      query.cursor ? `(${indexMember(query.cursor.sortKey, query.cursor.id)}` : '+',
      query.after === null ? '-' : `[${encodeSortKey(query.after + 1)}`,
      String(query.limit),
      query.includeArtifacts ? '1' : '0',
      String(this.session.options.expiryPruneBatch),
      query.historyLength === undefined ? '' : String(query.historyLength),
    ];
    let reply: Reply;
    // Each call prunes a bounded batch of expired tasks and answers only once none is left, so
    // a page and its total never include an expired task.
    do {
      reply = (await this.session.call((client) =>
        listTasksScript.run(client, base, args),
      )) as Reply;
    } while (reply[0] === -1);
    return { rows: listRowsOf(reply, query.includeArtifacts), total: Number(reply[0]) };
  }

  purge(query: BackendPurgeQuery): Promise<number> {
    return this.eachPurgedScope(query, (base) => this.purgeScope(base, query));
  }

  /**
   * What {@link purge} would delete at this moment, deleting nothing: the same scopes and the
   * same selection (see purge-scripts.ts), by read-only script calls.
   */
  countPurgeable(query: BackendPurgeQuery): Promise<number> {
    return this.eachPurgedScope(query, (base) => this.countScope(base, query));
  }

  /** Runs `perScope` on the query's scope, or on every registered scope one after another. */
  private async eachPurgedScope(
    query: BackendPurgeQuery,
    perScope: (base: string) => Promise<number>,
  ): Promise<number> {
    if (query.scope) return perScope(this.session.scopes.of(query.scope).base);
    let total = 0;
    for await (const tag of this.session.registeredScopes()) {
      total += await perScope(scopeBase(this.session.options.keyPrefix, tag));
    }
    return total;
  }

  /**
   * Walks the scope's write-time index oldest first, one bounded script call per batch. Tasks
   * that stay (state not purged) are skipped by offset; a concurrent write moves a task past the
   * bound, so it is never purged by mistake (the script re-checks state atomically).
   */
  private async purgeScope(base: string, query: BackendPurgeQuery): Promise<number> {
    let deleted = 0;
    let offset = 0;
    for (;;) {
      const [removed, kept, scanned] = (await this.session.call((client) =>
        purgeScopeScript.run(client, base, this.purgeArgs(query, offset)),
      )) as number[];
      deleted += removed ?? 0;
      query.onBatch?.(removed ?? 0);
      offset += kept ?? 0;
      if (removed) await this.session.awaitReplicas(base);
      if ((scanned ?? 0) < query.batchSize) return deleted;
    }
  }

  /** {@link purgeScope} without the deletes: the same batches, counted. */
  private async countScope(base: string, query: BackendPurgeQuery): Promise<number> {
    let counted = 0;
    let offset = 0;
    for (;;) {
      const [wouldDelete, scanned] = (await this.session.call((client) =>
        countPurgeableScript.run(client, base, this.purgeArgs(query, offset)),
      )) as number[];
      counted += wouldDelete ?? 0;
      query.onBatch?.(wouldDelete ?? 0);
      offset += scanned ?? 0;
      if ((scanned ?? 0) < query.batchSize) return counted;
    }
  }

  /** The ARGV both purge scripts take (see purge-scripts.ts). */
  private purgeArgs(query: BackendPurgeQuery, offset: number): string[] {
    return [
      `(${query.olderThan}`,
      String(offset),
      String(query.batchSize),
      String(this.session.options.expiryPruneBatch),
      ...query.states.map(String),
    ];
  }
}
