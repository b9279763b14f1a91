import { describe, expect, it } from 'vitest';
import { makeTask, updatedTask } from '../src/fixtures.js';
import { parseBenchOptions } from '../src/options.js';
import { quantile, summarize } from '../src/stats.js';
import {
  BenchCheckError,
  canonicalTask,
  checkAbsent,
  checkLoaded,
  checkPage,
  checkPushConfigs,
} from '../src/verify.js';

describe('bench checks', () => {
  it('accepts the task that was saved and refuses a changed one', () => {
    const task = makeTask(0);
    const saved = canonicalTask(task);
    expect(() => checkLoaded('s', task.id, structuredClone(task), saved)).not.toThrow();
    expect(() => checkLoaded('s', task.id, updatedTask(task, 1), saved)).toThrow(BenchCheckError);
    const truncated = { ...task, history: task.history.slice(1) };
    expect(() => checkLoaded('s', task.id, truncated, saved)).toThrow(BenchCheckError);
    expect(() => checkLoaded('s', task.id, undefined, saved)).toThrow(/found nothing/);
  });

  it('refuses a task returned where none may be seen', () => {
    expect(() => checkAbsent('s', 'x', undefined)).not.toThrow();
    expect(() => checkAbsent('s', 'x', makeTask(0))).toThrow(BenchCheckError);
  });

  it('refuses a page with the wrong ids or order', () => {
    const tasks = [makeTask(0), makeTask(1)];
    const ids = tasks.map((task) => task.id);
    expect(() => checkPage('s', 'p', tasks, ids)).not.toThrow();
    expect(() => checkPage('s', 'p', [...tasks].reverse(), ids)).toThrow(BenchCheckError);
    expect(() => checkPage('s', 'p', tasks.slice(1), ids)).toThrow(BenchCheckError);
  });

  it('refuses a push config whose secrets or id differ from what was saved', () => {
    const saved = {
      tenant: '',
      id: 'c1',
      taskId: 't1',
      url: 'https://push.bench.example/hook/t1',
      token: 'token-1',
      authentication: { scheme: 'Bearer', credentials: 'secret-1' },
    };
    expect(() => checkPushConfigs('s', 't1', [structuredClone(saved)], saved)).not.toThrow();
    const sealed = { ...saved, token: 'a2asealed:v1:xyz' };
    expect(() => checkPushConfigs('s', 't1', [sealed], saved)).toThrow(BenchCheckError);
    const noCredentials = { ...saved, authentication: { scheme: 'Bearer', credentials: '' } };
    expect(() => checkPushConfigs('s', 't1', [noCredentials], saved)).toThrow(BenchCheckError);
    expect(() => checkPushConfigs('s', 't1', [saved, saved], saved)).toThrow(BenchCheckError);
    expect(() => checkPushConfigs('s', 't1', [], saved)).toThrow(BenchCheckError);
  });

  it('makes tasks whose history is about 2 KB', () => {
    const bytes = JSON.stringify(canonicalTask(makeTask(0))).length;
    expect(bytes).toBeGreaterThan(1800);
    expect(bytes).toBeLessThan(4000);
  });
});

describe('bench statistics and options', () => {
  it('takes nearest-rank quantiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(summarize([1000n, 3000n]).mean).toBe(2);
  });

  it('refuses a deep page beyond the scope', () => {
    expect(() => parseBenchOptions(['--scope-size', '100', '--deep-page', '3'], '/tmp')).toThrow(
      /needs at least 150 tasks/,
    );
    expect(parseBenchOptions(['--', '--quick'], '/tmp')).toMatchObject({
      scopeSize: 2000,
      deepPage: 20,
    });
  });
});
