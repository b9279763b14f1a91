import { TaskState } from '@a2a-js/sdk';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIXED_CYCLE, runMixed } from '../src/mixed.js';
import { parseBenchOptions } from '../src/options.js';
import { runScaling } from '../src/scaling.js';
import { seedScope } from '../src/seed.js';
import type { Subject } from '../src/subject.js';
import { floorPageQuery } from '../src/subjects/floor-sql.js';
import { sdkMemorySubject } from '../src/subjects/memory.js';
import { SqliteFloorTaskStore } from '../src/subjects/sqlite-floor.js';
import { WORKLOADS } from '../src/workload-names.js';
import { runWorkloads } from '../src/workloads.js';

const small = parseBenchOptions(
  [
    ...['--scope-size', '300', '--deep-page', '3', '--ops', '3', '--warmup', '1', '--runs', '1'],
    ...['--mixed-ops', '60', '--clients', '4'],
    ...['--scaling-sizes', '100,200', '--scaling-scopes', '2'],
  ],
  '/tmp',
);

function sqliteFloorSubject(): Subject {
  const database = new Database(':memory:');
  return {
    name: 'sqlite floor',
    role: 'floor',
    taskStore: new SqliteFloorTaskStore(database),
    close: async () => void database.close(),
  };
}

describe('workloads', () => {
  // The SDK's own in-memory store is the reference of list semantics: the expectations the
  // workloads check every subject against must hold for it.
  it.each([
    ['sdk InMemoryTaskStore', sdkMemorySubject],
    ['the raw SQLite floor', sqliteFloorSubject],
  ])('checks every answer of %s, lists by context and status included', async (_, make) => {
    const subject = make();
    const seeded = await seedScope(subject, small);
    expect(seeded.byContext.firstIds).toHaveLength(50);
    expect(seeded.byStatus.firstIds).toHaveLength(30);
    const [samples] = await runWorkloads([{ subject, seeded }], small);
    for (const workload of WORKLOADS) {
      const expected = subject.pushStore || !workload.startsWith('push') ? small.ops : undefined;
      expect(samples?.[workload]?.length, workload).toBe(expected);
    }
    await subject.close();
  });

  it('interleaves the subjects op by op, and the first and deep pages with each other', async () => {
    const calls: string[] = [];
    const traced = (name: string): Subject => {
      const inner = sdkMemorySubject();
      const store = inner.taskStore;
      return {
        ...inner,
        name,
        taskStore: {
          save: (task, context) => {
            calls.push(`${name} save`);
            return store.save(task, context);
          },
          load: (id, context) => {
            calls.push(`${name} load`);
            return store.load(id, context);
          },
          list: (params, context) => {
            if (!params.contextId && !params.status) {
              calls.push(`${name} ${params.pageToken ? 'deep' : 'first'}`);
            }
            return store.list(params, context);
          },
        },
      };
    };
    const subjects = [traced('a'), traced('b'), traced('c')];
    const entries = [];
    for (const subject of subjects)
      entries.push({ subject, seeded: await seedScope(subject, small) });
    calls.length = 0;
    const samples = await runWorkloads(entries, small);
    // warm-up 1 + 3 timed ops: saves go a b c, then b c a, c a b, a b c.
    expect(calls.slice(0, 12)).toEqual(
      ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c'].map((n) => `${n} save`),
    );
    // The deep page alternates with the first page it is judged against, within each subject.
    const pages = calls.filter((call) => call.endsWith('first') || call.endsWith('deep'));
    expect(pages.slice(0, 12)).toEqual([
      ...['a first', 'a deep', 'b first', 'b deep', 'c first', 'c deep'],
      ...['b deep', 'b first', 'c deep', 'c first', 'a deep', 'a first'],
    ]);
    // Each subject kept its own samples: only the timed ops, for every workload it has.
    expect(samples).toHaveLength(3);
    for (const taken of samples) {
      expect(taken['save new']).toHaveLength(small.ops);
      expect(taken['list deep page']).toHaveLength(small.ops);
      expect(taken['push load']).toHaveLength(small.ops);
    }
  });

  it('stops at the first answer of one subject that differs from what it saved', async () => {
    const honest = sdkMemorySubject();
    const inner = sdkMemorySubject();
    const lying: Subject = {
      ...inner,
      name: 'lying',
      taskStore: {
        save: (task, context) => inner.taskStore.save(task, context),
        load: async (id, context) => {
          const task = await inner.taskStore.load(id, context);
          return task && { ...task, history: [] };
        },
        list: (params, context) => inner.taskStore.list(params, context),
      },
    };
    const entries = [
      { subject: honest, seeded: await seedScope(honest, small) },
      { subject: lying, seeded: await seedScope(lying, small) },
    ];
    await expect(runWorkloads(entries, small)).rejects.toThrow(
      /^lying: load\(.+\) returned a different task than was saved$/,
    );
  });

  it('runs the mixed cycle with every client in its own scope', async () => {
    expect(MIXED_CYCLE.filter((op) => op === 'load')).toHaveLength(7);
    const stats = await runMixed(sqliteFloorSubject(), small);
    expect(stats).toMatchObject({ scoping: 'per-client', clients: 4, ops: 60 });
    expect(stats.p99).toBeGreaterThanOrEqual(stats.p50);
    expect(stats.loadP99).toBeGreaterThan(0);
    // 60 operations of real work cost this process some CPU; the host's figure is Linux's.
    expect(stats.cpu.benchUs).toBeGreaterThan(0);
    expect(stats.cpu.otherUs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['sdk InMemoryTaskStore', sdkMemorySubject],
    ['the raw SQLite floor', sqliteFloorSubject],
  ])('runs the mixed cycle with every client in one scope on %s', async (_, make) => {
    const stats = await runMixed(make(), small, 'one-scope');
    expect(stats).toMatchObject({ scoping: 'one-scope', clients: 4, ops: 60 });
    expect(stats.p99).toBeGreaterThanOrEqual(stats.p50);
  });

  it('rejects a one-scope page that misses a settled task or miscounts', async () => {
    const memory = sdkMemorySubject();
    const dropping: Subject = {
      ...memory,
      name: 'dropping',
      taskStore: {
        save: (task, context) => memory.taskStore.save(task, context),
        load: (id, context) => memory.taskStore.load(id, context),
        list: async (params, context) => {
          const page = await memory.taskStore.list(params, context);
          return { ...page, tasks: page.tasks.slice(1) };
        },
      },
    };
    await expect(runMixed(dropping, small, 'one-scope')).rejects.toThrow(
      /^dropping: one-scope first page: /,
    );
    const miscounting: Subject = {
      ...memory,
      name: 'miscounting',
      taskStore: {
        save: (task, context) => memory.taskStore.save(task, context),
        load: (id, context) => memory.taskStore.load(id, context),
        list: async (params, context) => {
          const page = await memory.taskStore.list(params, context);
          return { ...page, totalSize: page.totalSize + 1 };
        },
      },
    };
    await expect(runMixed(miscounting, small, 'one-scope')).rejects.toThrow(
      /^miscounting: one-scope first page: totalSize \d+ outside/,
    );
  });

  it('measures the scaling points in one growing scope, then spread over scopes', async () => {
    const memory = sdkMemorySubject();
    const batches: number[] = [];
    const pages: string[] = [];
    const subject: Subject = {
      ...memory,
      taskStore: {
        save: (task, context) => memory.taskStore.save(task, context),
        load: (id, context) => memory.taskStore.load(id, context),
        list: (params, context) => {
          pages.push(params.pageToken ? 'deep' : 'first');
          return memory.taskStore.list(params, context);
        },
      },
      seedBatch: async (tasks, context) => {
        batches.push(tasks.length);
        for (const task of tasks) await memory.taskStore.save(task, context);
      },
    };
    const result = await runScaling('memory', '', subject, small, () => {});
    // One batch per growth step, then one per spread scope: seeding goes through seedBatch.
    expect(batches).toEqual([100, 100, 100, 100]);
    // The last point's timed pages (1 warm-up + 3 ops): first and deep alternate, each going
    // first in turn.
    expect(pages.slice(-8)).toEqual([
      ...['first', 'deep', 'deep', 'first'],
      ...['first', 'deep', 'deep', 'first'],
    ]);
    expect(
      result.points.map((p) => [p.label, p.scopeTasks, p.deepPageNumber, p.tasks, p.scopes]),
    ).toEqual([
      ['100 in one scope', 100, 2, 100, 1],
      ['200 in one scope', 200, 4, 200, 1],
      ['200 over 2 scopes', 100, 2, 400, 3],
    ]);
  });
});

describe('floor SQL', () => {
  const scope = { tenant: 't', owner: 'o' };
  const base = {
    tenant: '',
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageSize: 50,
    pageToken: '',
    statusTimestampAfter: undefined,
  };

  it('binds scope, filters, cursor and limit in order, as row values or ORs', () => {
    const pg = { table: 'f', param: (n: number) => `$${n}`, rowValues: true };
    const next = floorPageQuery(pg, scope, {
      ...base,
      status: TaskState.TASK_STATE_WORKING,
      pageToken: '1000:abc',
    });
    expect(next.key).toBe('page_state_after');
    expect(next.values).toEqual(['t', 'o', TaskState.TASK_STATE_WORKING, 1000, 'abc', 51]);
    expect(next.text).toContain('state = $3 AND (sort_key, id) < ($4, $5)');
    expect(next.text).toContain('LIMIT $6');

    const mysql = { table: 'f', param: () => '?', rowValues: false };
    const byContext = floorPageQuery(mysql, scope, { ...base, contextId: 'c', pageToken: '7:x' });
    expect(byContext.key).toBe('page_ctx_after');
    expect(byContext.values).toEqual(['t', 'o', 'c', 7, 7, 'x', 51]);
    expect(byContext.text).toContain('(sort_key < ? OR (sort_key = ? AND id < ?))');
    expect(floorPageQuery(mysql, scope, base).key).toBe('page');
  });
});

describe('options', () => {
  it('parses the scaling run and refuses sizes it cannot spread', () => {
    expect(parseBenchOptions(['--scaling'], '/tmp')).toMatchObject({
      scaling: true,
      scalingSizes: [1000, 10_000, 100_000],
      scalingScopes: 1000,
      ops: 100,
      clients: 32,
    });
    expect(() => parseBenchOptions(['--scaling-sizes', '100,50'], '/tmp')).toThrow(/ascending/);
    expect(() =>
      parseBenchOptions(['--scaling-sizes', '1000', '--scaling-scopes', '30'], '/tmp'),
    ).toThrow(/must divide/);
  });
});
