import { TaskState } from '@a2a-js/sdk';
import type {
  BackendListQuery,
  EncodedTask,
  EncodedTaskAppend,
  Scope,
  TaskRow,
} from '@a2a-stores/core';
import {
  callContext,
  makeTask,
  randomScope,
  silentLogger,
  textPart,
} from '@a2a-stores/core/conformance';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisStores } from '../src/index.js';
import { type RedisStoreOptions, resolveRedisOptions } from '../src/options.js';
import { RedisSession } from '../src/session.js';
import { RedisTaskBackend } from '../src/task-backend.js';
import { redisRawProbe } from '../src/testing/index.js';
import { baseOf, connectTestRedis, deleteKeysWithPrefix, testPrefix } from './helpers.js';

const prefix = testPrefix('segments');
const WORKING = TaskState.TASK_STATE_WORKING;
const INPUT = TaskState.TASK_STATE_INPUT_REQUIRED;
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const FAILED = TaskState.TASK_STATE_FAILED;
const NOW = 1_700_000_000_000;
const LINEAGE = 'lineage-1';
let client: Redis;
const sessions: RedisSession[] = [];

function open(options: RedisStoreOptions = {}): {
  backend: RedisTaskBackend;
  session: RedisSession;
} {
  const session = new RedisSession(
    { client },
    resolveRedisOptions({ ...options, keyPrefix: prefix }),
  );
  sessions.push(session);
  return { backend: new RedisTaskBackend(session), session };
}

function full(id: string, overrides: Partial<EncodedTask> = {}): EncodedTask {
  return {
    id,
    contextId: 'ctx-a',
    state: WORKING,
    sortKey: NOW,
    body: `{"id":"${id}","base":true}`,
    artifacts: '[{"artifactId":"a1"}]',
    bytes: 100,
    lineage: LINEAGE,
    ...overrides,
  };
}

function chunk(
  id: string,
  n: number,
  overrides: Partial<EncodedTaskAppend> = {},
): EncodedTaskAppend {
  return {
    id,
    contextId: 'ctx-a',
    state: WORKING,
    sortKey: NOW + n,
    segment: { body: `{"chunk":${n}}`, artifacts: n % 2 === 0 ? '' : `[{"part":${n}}]` },
    bytes: 100 + n * 10,
    lineage: LINEAGE,
    ...overrides,
  };
}

function listQuery(overrides: Partial<BackendListQuery> = {}): BackendListQuery {
  return {
    contextId: '',
    state: 0,
    after: null,
    cursor: null,
    limit: 50,
    includeArtifacts: true,
    ...overrides,
  };
}

/** Everything stored for the task: its hash and its segment lists. */
function raw(scope: Scope, id: string): Promise<string | undefined> {
  return redisRawProbe(client, { keyPrefix: prefix }).readTaskRaw(scope, id);
}

async function segmentKeysExist(scope: Scope, id: string): Promise<number> {
  const base = baseOf(prefix, scope);
  return client.exists(`${base}sb:${id}`, `${base}sa:${id}`);
}

/** Writes a task and appends `count` chunks (1..count) to it; returns the last version. */
async function withChunks(
  backend: RedisTaskBackend,
  scope: Scope,
  id: string,
  count: number,
): Promise<number> {
  await expect(backend.put(scope, full(id), null, NOW)).resolves.toEqual({
    status: 'written',
    version: 1,
  });
  let version = 1;
  for (let n = 1; n <= count; n++) {
    await expect(backend.append(scope, chunk(id, n), version, NOW + n)).resolves.toEqual({
      status: 'written',
      version: version + 1,
    });
    version += 1;
  }
  return version;
}

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  for (const session of sessions) await session.close();
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

describe('append', () => {
  it('get returns the base and the segments in order, with the size last written', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 't1', 3);
    const expected: TaskRow = {
      id: 't1',
      version: 4,
      sortKey: NOW + 3,
      body: '{"id":"t1","base":true}',
      artifacts: '[{"artifactId":"a1"}]',
      bytes: 130,
      lineage: LINEAGE,
      segments: [
        { body: '{"chunk":1}', artifacts: '[{"part":1}]' },
        { body: '{"chunk":2}', artifacts: '' },
        { body: '{"chunk":3}', artifacts: '[{"part":3}]' },
      ],
    };
    await expect(backend.get(scope, 't1', true)).resolves.toEqual(expected);
    const { artifacts: _, ...withoutArtifacts } = expected;
    await expect(backend.get(scope, 't1', false)).resolves.toEqual({
      ...withoutArtifacts,
      segments: [{ body: '{"chunk":1}' }, { body: '{"chunk":2}' }, { body: '{"chunk":3}' }],
    });
  });

  it('a task without segments is read with one command and has no segments field', async () => {
    const { backend, session } = open();
    const scope = randomScope();
    await backend.put(scope, full('plain'), null, NOW);
    const calls = vi.spyOn(session, 'call');
    await expect(backend.get(scope, 'plain', true)).resolves.toEqual({
      id: 'plain',
      version: 1,
      sortKey: NOW,
      body: '{"id":"plain","base":true}',
      artifacts: '[{"artifactId":"a1"}]',
      bytes: 100,
      lineage: LINEAGE,
    });
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockRestore();
  });

  it('never reads or rewrites the body and artifacts', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'big', 1);
    const base = baseOf(prefix, scope);
    // Damage the stored body: an append that read or rewrote it would fail or repair it.
    await client.hset(`${base}t:big`, 'b', 'untouched', 'a', 'untouched too');
    await backend.append(scope, chunk('big', 2), 2, NOW + 2);
    expect(await client.hmget(`${base}t:big`, 'b', 'a', 'n', 'z', 'v')).toEqual([
      'untouched',
      'untouched too',
      '2',
      '120',
      '3',
    ]);
  });

  it('a full write drops the segments in the same step and resets the count', async () => {
    const { backend } = open();
    const scope = randomScope();
    const version = await withChunks(backend, scope, 't2', 2);
    await expect(
      backend.put(
        scope,
        full('t2', { body: '{"compacted":true}', bytes: 500, lineage: 'lineage-2' }),
        version,
        NOW + 9,
      ),
    ).resolves.toEqual({ status: 'written', version: version + 1 });
    expect(await segmentKeysExist(scope, 't2')).toBe(0);
    await expect(backend.get(scope, 't2', true)).resolves.toEqual({
      id: 't2',
      version: version + 1,
      sortKey: NOW,
      body: '{"compacted":true}',
      artifacts: '[{"artifactId":"a1"}]',
      bytes: 500,
      lineage: 'lineage-2',
    });
    // Appends diffed against the replaced write no longer apply; against the new one they do,
    // starting over at the first segment.
    await expect(backend.append(scope, chunk('t2', 7), version + 1, NOW + 10)).resolves.toEqual({
      status: 'conflict',
    });
    await backend.append(scope, chunk('t2', 7, { lineage: 'lineage-2' }), version + 1, NOW + 10);
    await expect(backend.get(scope, 't2', false)).resolves.toMatchObject({
      segments: [{ body: '{"chunk":7}' }],
    });
  });

  it('the first append after a full write never reads a leftover list as a segment', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, full('left'), null, NOW);
    // Lists that outlived an earlier hash of this id (e.g. evicted under maxmemory).
    const base = baseOf(prefix, scope);
    await client.rpush(`${base}sb:left`, 'stale body');
    await client.rpush(`${base}sa:left`, 'stale artifacts');
    await backend.append(scope, chunk('left', 1), 1, NOW + 1);
    await expect(backend.get(scope, 'left', true)).resolves.toMatchObject({
      segments: [{ body: '{"chunk":1}', artifacts: '[{"part":1}]' }],
    });
    expect(await client.llen(`${base}sb:left`)).toBe(1);
  });

  it('conflict: a task deleted and created again takes no append diffed against the old one', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'again', 1);
    await backend.delete(scope, 'again');
    await backend.put(scope, full('again', { lineage: 'lineage-new' }), null, NOW);
    await backend.append(scope, chunk('again', 1, { lineage: 'lineage-new' }), 1, NOW);
    const before = await raw(scope, 'again');
    // Same version (2) as the old task had when the append was planned: only the lineage differs.
    await expect(backend.append(scope, chunk('again', 2), 2, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'again')).toBe(before);
  });

  it('conflict: a wrong version or a missing task changes nothing', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 't3', 1);
    const before = await raw(scope, 't3');
    await expect(backend.append(scope, chunk('t3', 5), 1, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    await expect(backend.append(scope, chunk('t3', 5), 3, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 't3')).toBe(before);
    await expect(backend.append(scope, chunk('absent', 1), 1, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'absent')).toBeUndefined();
    expect(await segmentKeysExist(scope, 'absent')).toBe(0);
  });

  it('stale: a terminal task takes no append of another state, and nothing changes', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, full('t4', { state: COMPLETED }), null, NOW);
    await backend.append(scope, chunk('t4', 1, { state: COMPLETED }), 1, NOW + 1);
    const before = await raw(scope, 't4');
    const { total } = await backend.list(scope, listQuery({ state: COMPLETED }));
    await expect(backend.append(scope, chunk('t4', 2), 2, NOW + 2)).resolves.toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    await expect(
      backend.append(scope, chunk('t4', 2, { state: FAILED }), 2, NOW + 2),
    ).resolves.toEqual({ status: 'stale', storedState: COMPLETED });
    expect(await raw(scope, 't4')).toBe(before);
    expect((await backend.list(scope, listQuery({ state: COMPLETED }))).total).toBe(total);
  });

  it('moves the list counters exactly when an append changes state and context', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, full('m1'), null, NOW);
    await backend.put(scope, full('m2'), null, NOW);
    await backend.append(scope, chunk('m1', 1, { state: INPUT, contextId: 'ctx-b' }), 1, NOW);
    await backend.append(scope, chunk('m1', 2, { state: COMPLETED, contextId: 'ctx-b' }), 2, NOW);
    await backend.append(scope, chunk('m2', 1, { state: INPUT }), 1, NOW);
    const totals = async (contextId: string, state: number) =>
      (await backend.list(scope, listQuery({ contextId, state }))).total;
    expect(await totals('', 0)).toBe(2);
    expect(await totals('ctx-a', 0)).toBe(1);
    expect(await totals('ctx-b', 0)).toBe(1);
    expect(await totals('', WORKING)).toBe(0);
    expect(await totals('', INPUT)).toBe(1);
    expect(await totals('', COMPLETED)).toBe(1);
    expect(await totals('ctx-b', COMPLETED)).toBe(1);
    expect(await totals('ctx-a', INPUT)).toBe(1);
    expect(await totals('ctx-b', INPUT)).toBe(0);
    // The page is ordered by the sort key the appends wrote.
    const { rows } = await backend.list(scope, listQuery());
    expect(rows.map((row) => [row.id, row.sortKey])).toEqual([
      ['m1', NOW + 2],
      ['m2', NOW + 1],
    ]);
  });

  it('delete removes the segments with the task', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'd1', 2);
    await expect(backend.delete(scope, 'd1')).resolves.toBe(true);
    expect(await segmentKeysExist(scope, 'd1')).toBe(0);
    await expect(backend.get(scope, 'd1', true)).resolves.toBeUndefined();
  });

  it('purge removes the segments of every purged task, batch after batch', async () => {
    const { backend } = open();
    const scope = randomScope();
    for (const id of ['p1', 'p2', 'p3']) {
      await backend.put(scope, full(id), null, NOW);
      await backend.append(scope, chunk(id, 1, { state: COMPLETED }), 1, NOW);
    }
    await withChunks(backend, scope, 'kept', 1);
    const batches: number[] = [];
    await expect(
      backend.purge({
        olderThan: NOW + 100,
        states: [COMPLETED],
        batchSize: 2,
        scope,
        onBatch: (deleted) => batches.push(deleted),
      }),
    ).resolves.toBe(3);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(3);
    for (const id of ['p1', 'p2', 'p3']) expect(await segmentKeysExist(scope, id)).toBe(0);
    expect(await segmentKeysExist(scope, 'kept')).toBe(2);
    await expect(backend.get(scope, 'kept', false)).resolves.toMatchObject({
      segments: [{ body: '{"chunk":1}' }],
    });
  });
});

describe('list', () => {
  it('attaches segments only to rows that have them, in order, in the page round trip', async () => {
    const { backend, session } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'l1', 2);
    await backend.put(scope, full('l2', { sortKey: NOW + 5, bytes: 0 }), null, NOW);
    await withChunks(backend, scope, 'l3', 1);
    const calls = vi.spyOn(session, 'call');
    const page = await backend.list(scope, listQuery());
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockRestore();
    expect(page.total).toBe(3);
    expect(page.rows).toEqual([
      {
        id: 'l2',
        version: 1,
        sortKey: NOW + 5,
        body: '{"id":"l2","base":true}',
        artifacts: '[{"artifactId":"a1"}]',
        bytes: 0,
        lineage: LINEAGE,
      },
      {
        id: 'l1',
        version: 3,
        sortKey: NOW + 2,
        body: '{"id":"l1","base":true}',
        artifacts: '[{"artifactId":"a1"}]',
        bytes: 120,
        lineage: LINEAGE,
        segments: [
          { body: '{"chunk":1}', artifacts: '[{"part":1}]' },
          { body: '{"chunk":2}', artifacts: '' },
        ],
      },
      {
        id: 'l3',
        version: 2,
        sortKey: NOW + 1,
        body: '{"id":"l3","base":true}',
        artifacts: '[{"artifactId":"a1"}]',
        bytes: 110,
        lineage: LINEAGE,
        segments: [{ body: '{"chunk":1}', artifacts: '[{"part":1}]' }],
      },
    ]);
  });

  it('omits segment artifacts without includeArtifacts', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'l4', 2);
    const { rows } = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(rows).toEqual([
      {
        id: 'l4',
        version: 3,
        sortKey: NOW + 2,
        body: '{"id":"l4","base":true}',
        bytes: 120,
        lineage: LINEAGE,
        segments: [{ body: '{"chunk":1}' }, { body: '{"chunk":2}' }],
      },
    ]);
  });
});

describe('tasks written before appends existed', () => {
  it('read as no segments and size 0, and take appends', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, full('old'), null, NOW);
    // A format-1 hash: no segment count, no size, no lineage.
    await client.hdel(`${baseOf(prefix, scope)}t:old`, 'n', 'z', 'l');
    const row = await backend.get(scope, 'old', false);
    expect(row).toEqual({
      id: 'old',
      version: 1,
      sortKey: NOW,
      body: '{"id":"old","base":true}',
      bytes: 0,
    });
    expect(row?.lineage).toBeUndefined();
    const { rows } = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(rows).toEqual([
      { id: 'old', version: 1, sortKey: NOW, body: '{"id":"old","base":true}', bytes: 0 },
    ]);
    expect(rows[0]?.lineage).toBeUndefined();
    // No lineage to match: only a full write updates it, and appends follow that write.
    const before = await raw(scope, 'old');
    await expect(backend.append(scope, chunk('old', 1), 1, NOW + 1)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'old')).toBe(before);
    await backend.put(scope, full('old'), 1, NOW + 2);
    await backend.append(scope, chunk('old', 1), 2, NOW + 3);
    await expect(backend.get(scope, 'old', false)).resolves.toMatchObject({
      version: 3,
      bytes: 110,
      lineage: LINEAGE,
      segments: [{ body: '{"chunk":1}' }],
    });
  });
});

describe('retention', () => {
  const TTL = 60 * 60 * 1000;

  it('segments of a finished task expire with it, and a write without a TTL keeps them', async () => {
    const { backend } = open({ finishedTaskTtl: TTL });
    const scope = randomScope();
    const base = baseOf(prefix, scope);
    await withChunks(backend, scope, 'r1', 1);
    await backend.append(scope, chunk('r1', 2, { state: COMPLETED }), 2, NOW + 2);
    const at = await client.pexpiretime(`${base}t:r1`);
    expect(at).toBeGreaterThan(0);
    expect(await client.pexpiretime(`${base}sb:r1`)).toBe(at);
    expect(await client.pexpiretime(`${base}sa:r1`)).toBe(at);
    expect(Number(await client.zscore(`${base}exp`, 'r1'))).toBe(at);

    const { backend: permanent } = open();
    await permanent.append(scope, chunk('r1', 3, { state: COMPLETED }), 3, NOW + 3);
    expect(await client.pexpiretime(`${base}t:r1`)).toBe(-1);
    expect(await client.pexpiretime(`${base}sb:r1`)).toBe(-1);
    expect(await client.zscore(`${base}exp`, 'r1')).toBeNull();
  });

  it('pruning a task past its expiry removes its segments', async () => {
    const { backend } = open({ finishedTaskTtl: TTL });
    const scope = randomScope();
    const base = baseOf(prefix, scope);
    await withChunks(backend, scope, 'r2', 1);
    await backend.append(scope, chunk('r2', 2, { state: COMPLETED }), 2, NOW + 2);
    // Due now (an instant in the past), as if its TTL ran out before Redis dropped the keys.
    await client.zadd(`${base}exp`, 1, 'r2');
    await expect(backend.list(scope, listQuery())).resolves.toEqual({ rows: [], total: 0 });
    expect(await segmentKeysExist(scope, 'r2')).toBe(0);
    expect(await client.exists(`${base}t:r2`)).toBe(0);
  });
});

describe('raw probe', () => {
  it('shows the segments after the hash fields', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'probe', 2);
    const text = await raw(scope, 'probe');
    expect(text?.split('\n').slice(-4)).toEqual([
      'sb.1={"chunk":1}',
      'sb.2={"chunk":2}',
      'sa.1=[{"part":1}]',
      'sa.2=',
    ]);
    expect(text).toContain('n=2');
    expect(text).toContain('z=120');
    expect(text).toContain(`l=${LINEAGE}`);
  });
});

describe('through the task store', () => {
  it('a save that adds an artifact chunk is stored as a segment, the body left as written', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: prefix, logger: silentLogger() });
    try {
      const scope = randomScope();
      const ctx = callContext(scope);
      const task = makeTask({ artifactCount: 1 });
      for (let i = 0; i < 20; i++) task.artifacts[0]!.parts.push(textPart(`seed ${i} `.repeat(50)));
      await stores.taskStore.save(task, ctx);
      const key = `${baseOf(prefix, scope)}t:${task.id}`;
      const [body, artifacts] = await client.hmget(key, 'b', 'a');
      const loaded = (await stores.taskStore.load(task.id, ctx))!;
      loaded.artifacts[0]!.parts.push(textPart('chunk 1'));
      await stores.taskStore.save(loaded, ctx);
      expect(await client.hmget(key, 'b', 'a', 'n', 'v')).toEqual([body, artifacts, '1', '2']);
      expect(await client.llen(`${baseOf(prefix, scope)}sb:${task.id}`)).toBe(1);
      const again = await stores.taskStore.load(task.id, ctx);
      expect(again?.artifacts[0]?.parts.at(-1)).toEqual(textPart('chunk 1'));
    } finally {
      await stores.close();
    }
  });
});
