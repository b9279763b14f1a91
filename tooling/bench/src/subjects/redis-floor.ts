import { type ListTasksRequest, type ListTasksResponse, type Task, TaskState } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { Redis } from 'ioredis';
import { decodeFloorTask, encodeFloorTask, floorPage, parseFloorToken } from './floor-codec.js';
import { floorPageSize } from './floor-sql.js';
import { scopeOfContext } from './scope-of-context.js';

/** Every state a task can be listed by; a save leaves the index of each other one. */
const STATES = Object.values(TaskState).filter(
  (value): value is TaskState =>
    typeof value === 'number' && value > 0 && value !== TaskState.UNRECOGNIZED,
);

/**
 * The least a Redis store can do with plain commands:
 * - save: one MULTI/EXEC round trip — HSET of the task JSON in the scope's hash, ZADD of the id
 *   (score = sort key) to the scope's, the context's and the state's index, and ZREM from the
 *   other states' indexes (without a read or a script, the floor cannot know the old state);
 * - load: one HGET;
 * - list: one ZRANGE keyset page (two in one pipeline after a cursor: the cursor's tied scores,
 *   then the strictly lower ones), then one HMGET of the page's JSON.
 * Equal scores are ordered by id in Redis, so the order is (sort key, id) desc as everywhere.
 */
export class RedisFloorTaskStore implements TaskStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #base(context: ServerCallContext): string {
    const { tenant, owner } = scopeOfContext(context);
    return `${this.#prefix}${JSON.stringify([tenant, owner])}:`;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const base = this.#base(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    const multi = this.#redis
      .multi()
      .hset(`${base}t`, task.id, body)
      .zadd(`${base}i`, sortKey, task.id)
      .zadd(`${base}c:${contextId}`, sortKey, task.id)
      .zadd(`${base}s:${state}`, sortKey, task.id);
    for (const other of STATES) if (other !== state) multi.zrem(`${base}s:${other}`, task.id);
    const replies = await multi.exec();
    const failed = replies?.find(([error]) => error);
    if (!replies || failed) throw failed?.[0] ?? new Error('redis floor: transaction aborted');
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const body = await this.#redis.hget(`${this.#base(context)}t`, taskId);
    return body === null ? undefined : decodeFloorTask(body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    if (request.contextId && request.status) {
      throw new Error('redis floor: no index for context and state together');
    }
    const base = this.#base(context);
    const index = request.contextId
      ? `${base}c:${request.contextId}`
      : request.status
        ? `${base}s:${request.status}`
        : `${base}i`;
    const pageSize = floorPageSize(request);
    let entries: string[];
    if (!request.pageToken) {
      entries = await this.#redis.zrange(
        index,
        '+inf',
        '-inf',
        'BYSCORE',
        'REV',
        'LIMIT',
        0,
        pageSize + 1,
        'WITHSCORES',
      );
    } else {
      const cursor = parseFloorToken(request.pageToken);
      const replies = await this.#redis
        .pipeline()
        .zrange(index, cursor.sortKey, cursor.sortKey, 'BYSCORE', 'REV', 'WITHSCORES')
        .zrange(
          index,
          `(${cursor.sortKey}`,
          '-inf',
          'BYSCORE',
          'REV',
          'LIMIT',
          0,
          pageSize + 1,
          'WITHSCORES',
        )
        .exec();
      const [ties, lower] = (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value as string[];
      });
      const after: string[] = [];
      for (let i = 0; i < (ties ?? []).length; i += 2) {
        if (ties![i]! < cursor.id) after.push(ties![i]!, ties![i + 1]!);
      }
      entries = [...after, ...(lower ?? [])];
    }
    const rows: { id: string; sort_key: string; body: string }[] = [];
    for (let i = 0; i < entries.length && rows.length < pageSize + 1; i += 2) {
      rows.push({ id: entries[i]!, sort_key: entries[i + 1]!, body: '' });
    }
    if (rows.length > 0) {
      const bodies = await this.#redis.hmget(`${base}t`, ...rows.map((row) => row.id));
      rows.forEach((row, i) => {
        row.body = bodies[i] ?? '';
      });
    }
    return floorPage(
      rows.filter((row) => row.body !== ''),
      pageSize,
    );
  }
}
