import { describe, expect, it } from 'vitest';
import { errorType, Recorder, UnexpectedResultError } from '../src/recorder.js';
import { parseRss, parseVmRssKiB, type RssSample } from '../src/rss.js';
import { memoryResult } from '../src/run-backend.js';
import { seededRandom } from '../src/scenarios.js';
import { quantile, slope, summarizeLatencies } from '../src/stats.js';
import { assertLoopbackUrl } from '../src/store-targets.js';

describe('latency statistics', () => {
  it('nearest-rank percentiles of 1..100 ms', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarizeLatencies(samples)).toEqual({
      count: 100,
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
    expect(summarizeLatencies([])).toBeUndefined();
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('slope finds a steady trend and none in a flat series', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 10 + 2 * x })))).toBeCloseTo(2);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 5 })))).toBe(0);
    expect(slope([{ x: 1, y: 1 }])).toBe(0);
  });
});

describe('parseVmRssKiB', () => {
  it('reads VmRSS from /proc/<pid>/status text', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n';
    expect(parseVmRssKiB(status)).toBe(123456);
    expect(parseVmRssKiB('Name:\tkthreadd\n')).toBeUndefined();
    expect(
      parseRss('VmRSS:\t 300 kB\nRssAnon:\t 200 kB\nRssFile:\t 90 kB\nRssShmem:\t 10 kB\n'),
    ).toEqual({ rssKiB: 300, anonKiB: 200, fileKiB: 90, shmemKiB: 10 });
  });
});

describe('Recorder', () => {
  it('times successes after warm-up only and counts failures by operation and type', async () => {
    const recorder = new Recorder(performance.now() + 60_000);
    expect(await recorder.time('get', async () => 'ok')).toBe('ok');
    const failed = await recorder.time('list-page', async () => {
      throw new UnexpectedResultError('list', 'task-1 repeated');
    });
    expect(failed).toBeUndefined();
    expect(recorder.callCount).toBe(2);
    expect(recorder.measuredCalls()).toBe(0);
    expect(recorder.errors()).toEqual([
      {
        operation: 'list-page',
        type: 'unexpected:list',
        count: 1,
        samples: ['list: task-1 repeated'],
      },
    ]);
    const results = recorder.results();
    expect(results.find((r) => r.operation === 'list-page')).toMatchObject({ calls: 1, errors: 1 });

    const measured = new Recorder(0);
    await measured.time('get', async () => undefined);
    expect(measured.results().find((r) => r.operation === 'get')?.latency?.count).toBe(1);
  });

  it('labels a failed fetch by its network cause', () => {
    const error = new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    expect(errorType(error)).toBe('TypeError(ECONNRESET)');
    expect(errorType(new RangeError('x'))).toBe('RangeError');
    expect(errorType('boom')).toBe('non-error:string');
  });
});

describe('seededRandom', () => {
  it('is reproducible per seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seededRandom(8)()).not.toBe(values[0]);
  });
});

describe('assertLoopbackUrl', () => {
  it('accepts loopback databases and refuses anything else', () => {
    expect(() => assertLoopbackUrl('postgres://postgres@127.0.0.1:5432/test')).not.toThrow();
    expect(() => assertLoopbackUrl('postgres://postgres@localhost/test')).not.toThrow();
    expect(() => assertLoopbackUrl('postgres://u@[::1]:5432/test')).not.toThrow();
    expect(() => assertLoopbackUrl('postgres://u@10.0.0.5/test')).toThrow(/loopback only/);
    expect(() => assertLoopbackUrl('postgres://u@db.example.com/test')).toThrow(/loopback only/);
  });
});

describe('memoryResult', () => {
  const sample = (t: number, mib: number): RssSample => ({
    t,
    rssKiB: mib * 1024,
    anonKiB: mib * 1024 - 40 * 1024,
    fileKiB: 40 * 1024,
    shmemKiB: 0,
  });

  it('compares 10 s medians, so one garbage-collection spike does not count as growth', () => {
    const samples = Array.from({ length: 120 }, (_, t) =>
      sample(t, t === 30 || t === 119 ? 200 : 100),
    );
    const memory = memoryResult(samples, 30, 119, 64);
    expect(memory.afterWarmupKiB).toBe(100 * 1024);
    expect(memory.endKiB).toBe(100 * 1024);
    expect(memory.growthKiB).toBe(0);
    expect(memory.peakKiB).toBe(200 * 1024);
    expect(memory.withinBound).toBe(true);
  });

  it('flags steady growth beyond the bound, and its trend', () => {
    // 1 MiB per second after warm-up: 90 MiB over the measured 90 s.
    const samples = Array.from({ length: 121 }, (_, t) => sample(t, 100 + Math.max(0, t - 30)));
    const memory = memoryResult(samples, 30, 120, 64);
    expect(memory.withinBound).toBe(false);
    expect(memory.growthKiB).toBeGreaterThan(64 * 1024);
    expect(memory.growthParts.anonKiB).toBe(memory.growthKiB);
    expect(memory.growthParts.fileKiB).toBe(0);
    expect(memory.slopeMiBPerMin).toBeCloseTo(60);
    expect(memory.secondHalfSlopeMiBPerMin).toBeCloseTo(60);
  });
});
