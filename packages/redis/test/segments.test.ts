import { TaskState } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import {
  type AppendingTaskBackend,
  callContext,
  encodedAppend,
  encodedTask,
  FIXTURE_LINEAGE,
  backendListQuery as listQuery,
  makeTask,
  putWithAppends,
  randomScope,
  runTaskBackendAppendChecks,
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
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const NOW = 1_700_000_000_000;
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

/** Everything stored for the task: its hash and its segment lists. */
function raw(scope: Scope, id: string): Promise<string | undefined> {
  return redisRawProbe(client, { keyPrefix: prefix }).readTaskRaw(scope, id);
}

async function segmentKeysExist(scope: Scope, id: string): Promise<number> {
  const base = baseOf(prefix, scope);
  return client.exists(`${base}sb:${id}`, `${base}sa:${id}`);
}

/** Writes a task and appends `count` segments (1..count) to it; returns the last version. */
function withChunks(
  backend: AppendingTaskBackend,
  scope: Scope,
  id: string,
  count: number,
): Promise<number> {
  return putWithAppends(backend, scope, id, count);
}

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  for (const session of sessions) await session.close();
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

runTaskBackendAppendChecks('redis', {
  backend: () => open().backend,
  storedSegments: async (scope, id) => {
    const base = baseOf(prefix, scope);
    const bodies = await client.lrange(`${base}sb:${id}`, 0, -1);
    const artifacts = await client.lrange(`${base}sa:${id}`, 0, -1);
    // The two lists move together: a segment is one entry of each, at the same index.
    expect(artifacts).toHaveLength(bodies.length);
    return bodies.map((body, i) => ({ body, artifacts: artifacts[i] as string }));
  },
});

describe('append', () => {
  it('a task without segments is read with one command', async () => {
    const { backend, session } = open();
    const scope = randomScope();
    await backend.put(scope, encodedTask('plain'), null, NOW);
    const calls = vi.spyOn(session, 'call');
    await expect(backend.get(scope, 'plain', true)).resolves.toMatchObject({ version: 1 });
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
    await backend.append(scope, encodedAppend('big', 2), 2, NOW + 2);
    expect(await client.hmget(`${base}t:big`, 'b', 'a', 'n', 'z', 'v')).toEqual([
      'untouched',
      'untouched too',
      '2',
      '102',
      '3',
    ]);
  });

  it('the first append after a full write never reads a leftover list as a segment', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, encodedTask('left'), null, NOW);
    // Lists that outlived an earlier hash of this id (e.g. evicted under maxmemory).
    const base = baseOf(prefix, scope);
    await client.rpush(`${base}sb:left`, 'stale body');
    await client.rpush(`${base}sa:left`, 'stale artifacts');
    await backend.append(scope, encodedAppend('left', 1), 1, NOW + 1);
    await expect(backend.get(scope, 'left', true)).resolves.toMatchObject({
      segments: [{ body: '{"n":1}', artifacts: '[1]' }],
    });
    expect(await client.llen(`${base}sb:left`)).toBe(1);
  });

  it('a refused append leaves every stored key as it was', async () => {
    const { backend } = open();
    const scope = randomScope();
    // Deleted and created again: the old task's version (2) with the new one's lineage differs.
    await withChunks(backend, scope, 'again', 1);
    await backend.delete(scope, 'again');
    await backend.put(scope, encodedTask('again', { lineage: 'lineage-new' }), null, NOW);
    await backend.append(scope, encodedAppend('again', 1, { lineage: 'lineage-new' }), 1, NOW);
    const again = await raw(scope, 'again');
    await expect(backend.append(scope, encodedAppend('again', 2), 2, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'again')).toBe(again);
    // A wrong version.
    await withChunks(backend, scope, 't3', 1);
    const t3 = await raw(scope, 't3');
    for (const expected of [1, 3]) {
      await expect(backend.append(scope, encodedAppend('t3', 5), expected, NOW)).resolves.toEqual({
        status: 'conflict',
      });
    }
    expect(await raw(scope, 't3')).toBe(t3);
    // A missing task.
    await expect(backend.append(scope, encodedAppend('absent', 1), 1, NOW)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'absent')).toBeUndefined();
    expect(await segmentKeysExist(scope, 'absent')).toBe(0);
    // A terminal task moving to another state.
    await backend.put(scope, encodedTask('t4', { state: COMPLETED }), null, NOW);
    await backend.append(scope, encodedAppend('t4', 1, { state: COMPLETED }), 1, NOW + 1);
    const t4 = await raw(scope, 't4');
    await expect(backend.append(scope, encodedAppend('t4', 2), 2, NOW + 2)).resolves.toEqual({
      status: 'stale',
      storedState: COMPLETED,
    });
    expect(await raw(scope, 't4')).toBe(t4);
  });

  it('delete and purge leave no segment list behind', async () => {
    const { backend } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'd1', 2);
    await expect(backend.delete(scope, 'd1')).resolves.toBe(true);
    expect(await segmentKeysExist(scope, 'd1')).toBe(0);
    for (const id of ['p1', 'p2', 'p3']) {
      await backend.put(scope, encodedTask(id), null, NOW);
      await backend.append(scope, encodedAppend(id, 1, { state: COMPLETED }), 1, NOW);
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
  });
});

describe('list', () => {
  it('attaches segments in the page round trip', async () => {
    const { backend, session } = open();
    const scope = randomScope();
    await withChunks(backend, scope, 'l1', 2);
    await backend.put(scope, encodedTask('l2', { sortKey: 5000 }), null, NOW);
    await withChunks(backend, scope, 'l3', 1);
    const calls = vi.spyOn(session, 'call');
    const page = await backend.list(scope, listQuery());
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockRestore();
    expect(page.total).toBe(3);
    expect(page.rows.map((row) => [row.id, row.segments?.length])).toEqual([
      ['l2', undefined],
      ['l1', 2],
      ['l3', 1],
    ]);
  });
});

describe('tasks written before appends existed', () => {
  it('read as no segments and size 0, and take appends', async () => {
    const { backend } = open();
    const scope = randomScope();
    await backend.put(scope, encodedTask('old'), null, NOW);
    // A format-1 hash: no segment count, no size, no lineage.
    await client.hdel(`${baseOf(prefix, scope)}t:old`, 'n', 'z', 'l');
    const row = await backend.get(scope, 'old', false);
    expect(row).toEqual({
      id: 'old',
      version: 1,
      sortKey: 1000,
      body: encodedTask('old').body,
      bytes: 0,
    });
    expect(row?.lineage).toBeUndefined();
    const { rows } = await backend.list(scope, listQuery({ includeArtifacts: false }));
    expect(rows).toEqual([
      { id: 'old', version: 1, sortKey: 1000, body: encodedTask('old').body, bytes: 0 },
    ]);
    expect(rows[0]?.lineage).toBeUndefined();
    // No lineage to match: only a full write updates it, and appends follow that write.
    const before = await raw(scope, 'old');
    await expect(backend.append(scope, encodedAppend('old', 1), 1, NOW + 1)).resolves.toEqual({
      status: 'conflict',
    });
    expect(await raw(scope, 'old')).toBe(before);
    await backend.put(scope, encodedTask('old'), 1, NOW + 2);
    await backend.append(scope, encodedAppend('old', 1), 2, NOW + 3);
    await expect(backend.get(scope, 'old', false)).resolves.toMatchObject({
      version: 3,
      bytes: 101,
      lineage: FIXTURE_LINEAGE,
      segments: [{ body: '{"n":1}' }],
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
    await backend.append(scope, encodedAppend('r1', 2, { state: COMPLETED }), 2, NOW + 2);
    const at = await client.pexpiretime(`${base}t:r1`);
    expect(at).toBeGreaterThan(0);
    expect(await client.pexpiretime(`${base}sb:r1`)).toBe(at);
    expect(await client.pexpiretime(`${base}sa:r1`)).toBe(at);
    expect(Number(await client.zscore(`${base}exp`, 'r1'))).toBe(at);

    const { backend: permanent } = open();
    await permanent.append(scope, encodedAppend('r1', 3, { state: COMPLETED }), 3, NOW + 3);
    expect(await client.pexpiretime(`${base}t:r1`)).toBe(-1);
    expect(await client.pexpiretime(`${base}sb:r1`)).toBe(-1);
    expect(await client.zscore(`${base}exp`, 'r1')).toBeNull();
  });

  it('pruning a task past its expiry removes its segments', async () => {
    const { backend } = open({ finishedTaskTtl: TTL });
    const scope = randomScope();
    const base = baseOf(prefix, scope);
    await withChunks(backend, scope, 'r2', 1);
    await backend.append(scope, encodedAppend('r2', 2, { state: COMPLETED }), 2, NOW + 2);
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
    await withChunks(backend, scope, 'probe', 1);
    await backend.append(scope, encodedAppend('probe', 2, { artifacts: '' }), 2, NOW);
    const text = await raw(scope, 'probe');
    expect(text?.split('\n').slice(-4)).toEqual([
      'sb.1={"n":1}',
      'sb.2={"n":2}',
      'sa.1=[1]',
      'sa.2=',
    ]);
    expect(text).toContain('n=2');
    expect(text).toContain('z=102');
    expect(text).toContain(`l=${FIXTURE_LINEAGE}`);
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
