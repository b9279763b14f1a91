import { describe, expect, it } from 'vitest';
import {
  BENCH_DATABASE,
  BENCH_DATABASE_LIKE,
  freshBenchDatabase,
  orphanedBenchDatabases,
} from '../src/subjects/bench-database.js';

const LOCAL = 'postgres://postgres@127.0.0.1:5432/test';
const alive = new Set([process.pid, 4242]);
const isAlive = (pid: number) => alive.has(pid);

describe('bench databases left by killed runs', () => {
  it("finds the databases of runs whose process is gone, never this run's or a live one's", () => {
    const names = [BENCH_DATABASE, 'a2a_stores_bench_4242', 'a2a_stores_bench_77', 'test'];
    expect(orphanedBenchDatabases(LOCAL, names, isAlive)).toEqual(['a2a_stores_bench_77']);
  });

  it('leaves names that are not exactly the prefix and a pid', () => {
    const names = [
      'a2a_stores_bench_',
      'a2a_stores_bench_0',
      'a2a_stores_bench_12x',
      'a2a_stores_bench_1_2',
    ];
    expect(orphanedBenchDatabases(LOCAL, names, () => false)).toEqual([]);
  });

  it('drops nothing on a server that is not on loopback: a pid there may be another host’s', () => {
    const names = ['a2a_stores_bench_77'];
    expect(orphanedBenchDatabases('postgres://db.example:5432/x', names, () => false)).toEqual([]);
    expect(orphanedBenchDatabases('mysql://root@localhost:3306/test', names, () => false)).toEqual(
      names,
    );
    expect(orphanedBenchDatabases('postgres://[::1]:5432/test', names, () => false)).toEqual(names);
  });

  it('escapes the underscores of the LIKE pattern', () => {
    expect(BENCH_DATABASE_LIKE).toBe('a2a\\_stores\\_bench\\_%');
    expect(BENCH_DATABASE).toBe(`a2a_stores_bench_${process.pid}`);
  });
});

describe('freshBenchDatabase', () => {
  it("drops dead runs' databases, then recreates this run's own, and points the url at it", async () => {
    // 4194305 is above Linux's largest pid_max: no process holds it.
    const dead = 'a2a_stores_bench_4194305';
    const live = `a2a_stores_bench_${process.ppid}`;
    const calls: string[] = [];
    const fresh = await freshBenchDatabase('postgres://postgres@127.0.0.1:5432/test?x=1', {
      namesLike: async (like) => {
        calls.push(`list ${like}`);
        return [BENCH_DATABASE, live, dead];
      },
      drop: async (name) => {
        calls.push(`drop ${name}`);
      },
      create: async (name) => {
        calls.push(`create ${name}`);
      },
    });
    expect(calls).toEqual([
      `list ${BENCH_DATABASE_LIKE}`,
      `drop ${dead}`,
      `drop ${BENCH_DATABASE}`,
      `create ${BENCH_DATABASE}`,
    ]);
    expect(fresh.url).toBe(`postgres://postgres@127.0.0.1:5432/${BENCH_DATABASE}?x=1`);
    await fresh.drop();
    expect(calls.at(-1)).toBe(`drop ${BENCH_DATABASE}`);
  });
});
