import type { Task } from '@a2a-js/sdk';
import {
  canonicalTask,
  type EncodedTask,
  type EncodedTaskAppend,
  RECENT_REACHES_ALL,
  type RecentHistory,
  type Scope,
} from '@a2a-stores/core';
import {
  callContext,
  encodedAppend,
  encodedTask,
  backendListQuery as listQuery,
  listRequest,
  makeMessage,
  makeTask,
  randomScope,
  silentLogger,
  textPart,
} from '@a2a-stores/core/conformance';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisStores } from '../src/index.js';
import { resolveRedisOptions } from '../src/options.js';
import { RedisSession } from '../src/session.js';
import { RedisTaskBackend } from '../src/task-backend.js';
import { baseOf, connectTestRedis, deleteKeysWithPrefix, testPrefix } from './helpers.js';

const prefix = testPrefix('recent');
const NOW = 1_700_000_000_000;
let client: Redis;
const sessions: RedisSession[] = [];

function open(): { backend: RedisTaskBackend; session: RedisSession } {
  const session = new RedisSession({ client }, resolveRedisOptions({ keyPrefix: prefix }));
  sessions.push(session);
  return { backend: new RedisTaskBackend(session), session };
}

function recent(label: string, reach: number): RecentHistory {
  return { text: JSON.stringify({ recent: label }), reach };
}

function withRecent(task: EncodedTask, form: RecentHistory | undefined): EncodedTask {
  return { ...task, recent: form };
}

function appendWith(
  id: string,
  n: number,
  form: RecentHistory | null | undefined,
): EncodedTaskAppend {
  return { ...encodedAppend(id, n), recent: form };
}

/** The recent form's two fields as stored in the task hash. */
function storedRecent(scope: Scope, id: string): Promise<(string | null)[]> {
  return client.hmget(`${baseOf(prefix, scope)}t:${id}`, 'r', 'h');
}

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  for (const session of sessions) await session.close();
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

describe('recent form: backend', () => {
  it('list with a history length it reaches returns the recent form, no body, artifact-only segments', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, withRecent(encodedTask('big'), recent('v1', 3)), null, NOW);
    await backend.append(scope, appendWith('big', 1, undefined), 1, NOW + 1);
    await backend.append(scope, appendWith('big', 2, undefined), 2, NOW + 2);

    const withArtifacts = await backend.list(scope, listQuery({ historyLength: 2 }));
    expect(withArtifacts.total).toBe(1);
    expect(withArtifacts.rows).toEqual([
      {
        id: 'big',
        sortKey: 1002,
        version: 3,
        body: undefined,
        recent: JSON.stringify({ recent: 'v1' }),
        artifacts: '[]',
        bytes: 102,
        lineage: 'lineage-1',
        segments: [
          { body: undefined, artifacts: '[1]' },
          { body: undefined, artifacts: '[2]' },
        ],
      },
    ]);

    const bare = await backend.list(
      scope,
      listQuery({ historyLength: 3, includeArtifacts: false }),
    );
    expect(bare.rows).toEqual([
      {
        id: 'big',
        sortKey: 1002,
        version: 3,
        body: undefined,
        recent: JSON.stringify({ recent: 'v1' }),
        bytes: 102,
        lineage: 'lineage-1',
      },
    ]);
  });

  it('a row whose reach is too short, or a list without a history length, reads the body as before', async () => {
    const { backend } = open();
    const scope = randomScope();
    const task = withRecent(encodedTask('big'), recent('v1', 3));
    await backend.put(scope, task, null, NOW);
    await backend.append(scope, appendWith('big', 1, undefined), 1, NOW + 1);
    const full = {
      id: 'big',
      sortKey: 1001,
      version: 2,
      body: task.body,
      artifacts: '[]',
      bytes: 101,
      lineage: 'lineage-1',
      segments: [{ body: '{"n":1}', artifacts: '[1]' }],
    };
    for (const historyLength of [4, undefined]) {
      const { rows } = await backend.list(scope, listQuery({ historyLength }));
      expect(rows, `historyLength ${historyLength}`).toEqual([full]);
      expect(rows[0]).not.toHaveProperty('recent');
    }
    // A form that holds the whole history answers any length.
    await backend.put(scope, withRecent(task, recent('all', RECENT_REACHES_ALL)), 2, NOW + 2);
    const { rows } = await backend.list(scope, listQuery({ historyLength: RECENT_REACHES_ALL }));
    expect(rows[0]).toMatchObject({ recent: JSON.stringify({ recent: 'all' }), body: undefined });
  });

  it('a page mixes recent rows, body rows and hashes written before recent forms', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(
      scope,
      withRecent(encodedTask('a', { sortKey: 3 }), recent('a', 5)),
      null,
      NOW,
    );
    await backend.append(scope, { ...appendWith('a', 1, undefined), sortKey: 3 }, 1, NOW);
    await backend.put(
      scope,
      withRecent(encodedTask('b', { sortKey: 2 }), recent('b', 1)),
      null,
      NOW,
    );
    await backend.append(scope, { ...appendWith('b', 1, undefined), sortKey: 2 }, 1, NOW);
    await backend.put(scope, encodedTask('c', { sortKey: 1 }), null, NOW);
    // A hash as the previous format wrote it: no recent fields at all.
    await backend.put(scope, encodedTask('d', { sortKey: 0 }), null, NOW);
    for (const includeArtifacts of [true, false]) {
      const { rows } = await backend.list(scope, listQuery({ historyLength: 2, includeArtifacts }));
      expect(rows.map((row) => [row.id, row.recent, row.body, row.segments])).toEqual([
        [
          'a',
          JSON.stringify({ recent: 'a' }),
          undefined,
          includeArtifacts ? [{ body: undefined, artifacts: '[1]' }] : undefined,
        ],
        [
          'b',
          undefined,
          encodedTask('b').body,
          [includeArtifacts ? { body: '{"n":1}', artifacts: '[1]' } : { body: '{"n":1}' }],
        ],
        ['c', undefined, encodedTask('c').body, undefined],
        ['d', undefined, encodedTask('d').body, undefined],
      ]);
    }
  });

  it('never reads the body of a row its recent form answers, and the page stays one round trip', async () => {
    const { backend, session } = open();
    const scope = randomScope();
    await backend.put(scope, withRecent(encodedTask('big'), recent('v1', 2)), null, NOW);
    // A body that is not one: a list that read it would return it.
    await client.hset(`${baseOf(prefix, scope)}t:big`, 'b', 'damaged');
    const calls = vi.spyOn(session, 'call');
    const { rows } = await backend.list(scope, listQuery({ historyLength: 2 }));
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockRestore();
    expect(rows[0]).toMatchObject({ recent: JSON.stringify({ recent: 'v1' }), body: undefined });
  });

  it('a put without a recent form drops the stored one', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, withRecent(encodedTask('t'), recent('v1', 3)), null, NOW);
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v1' }), '3']);
    await backend.put(scope, encodedTask('t'), 1, NOW + 1);
    expect(await storedRecent(scope, 't')).toEqual([null, null]);
    const { rows } = await backend.list(scope, listQuery({ historyLength: 0 }));
    expect(rows[0]).toMatchObject({ body: encodedTask('t').body });
    expect(rows[0]).not.toHaveProperty('recent');
    // A put with a form replaces it whole.
    await backend.put(scope, withRecent(encodedTask('t'), recent('v3', 1)), 2, NOW + 2);
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v3' }), '1']);
  });

  it('an append keeps the form when undefined, drops it when null, replaces it with a value', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, withRecent(encodedTask('t'), recent('v1', 3)), null, NOW);
    await backend.append(scope, appendWith('t', 1, undefined), 1, NOW + 1);
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v1' }), '3']);
    await backend.append(scope, appendWith('t', 2, recent('v3', 4)), 2, NOW + 2);
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v3' }), '4']);
    let { rows } = await backend.list(scope, listQuery({ historyLength: 4 }));
    expect(rows[0]).toMatchObject({ recent: JSON.stringify({ recent: 'v3' }), version: 3 });
    await backend.append(scope, appendWith('t', 3, null), 3, NOW + 3);
    expect(await storedRecent(scope, 't')).toEqual([null, null]);
    ({ rows } = await backend.list(scope, listQuery({ historyLength: 0 })));
    expect(rows[0]).toMatchObject({ body: encodedTask('t').body, version: 4 });
    expect(rows[0]?.segments).toHaveLength(3);
    // A later append with a form stores one again.
    await backend.append(scope, appendWith('t', 4, recent('v5', 2)), 4, NOW + 4);
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v5' }), '2']);
  });

  it('an append refused by its guard leaves the recent form as it was', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, withRecent(encodedTask('t'), recent('v1', 3)), null, NOW);
    await expect(backend.append(scope, appendWith('t', 1, null), 7, NOW + 1)).resolves.toEqual({
      status: 'conflict',
    });
    await expect(
      backend.append(scope, { ...appendWith('t', 1, recent('x', 9)), lineage: 'other' }, 1, NOW),
    ).resolves.toEqual({ status: 'conflict' });
    expect(await storedRecent(scope, 't')).toEqual([JSON.stringify({ recent: 'v1' }), '3']);
  });
});

describe('recent form: store', () => {
  /** A task of `count` messages of about 1 KB each. */
  function conversation(count: number): Task {
    const task = makeTask({ historyLength: 0, artifactCount: 1 });
    for (let i = 0; i < count; i++) {
      task.history.push(
        makeMessage(task.id, task.contextId, i, [textPart(`m${i}:${'x'.repeat(1_000)}`)]),
      );
    }
    return task;
  }

  it('lists the last 2 of 1,000 messages from the recent form, as the full read trimmed', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: prefix, logger: silentLogger() });
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = conversation(1_000);
    await stores.taskStore.save(task, ctx);
    // One more message goes in as an append, which replaces the recent form.
    task.history.push(makeMessage(task.id, task.contextId, 1_000, [textPart('last one')]));
    await stores.taskStore.save(task, ctx);

    const loaded = canonicalTask((await stores.taskStore.load(task.id, ctx))!);
    expect(loaded.history).toHaveLength(1_001);
    for (const includeArtifacts of [true, false]) {
      const page = await stores.taskStore.list(
        listRequest({ contextId: task.contextId, historyLength: 2, includeArtifacts }),
        ctx,
      );
      expect(page.tasks).toHaveLength(1);
      expect(page.tasks[0]?.history.map((m) => m.messageId)).toEqual(
        loaded.history.slice(-2).map((m) => m.messageId),
      );
      expect(page.tasks[0]).toEqual({
        ...loaded,
        history: loaded.history.slice(-2),
        artifacts: includeArtifacts ? loaded.artifacts : [],
      });
    }

    // The list really came from the recent form: with the body damaged, a short list still
    // answers, while a full list reads the body and skips the task as corrupt.
    const base = baseOf(prefix, scope);
    const [reach] = await client.hmget(`${base}t:${task.id}`, 'h');
    expect(Number(reach)).toBeGreaterThanOrEqual(2);
    await client.hset(`${base}t:${task.id}`, 'b', 'damaged');
    const short = await stores.taskStore.list(
      listRequest({ contextId: task.contextId, historyLength: 2 }),
      ctx,
    );
    expect(short.tasks[0]?.history).toEqual(loaded.history.slice(-2));
    const all = await stores.taskStore.list(listRequest({ contextId: task.contextId }), ctx);
    expect(all.tasks).toEqual([]);
    await stores.close();
  });
});
