import type { Task } from '@a2a-js/sdk';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../src/options.js';
import { renderMarkdown } from '../src/render-report.js';
import { inProcess, runStream, runStreams, streams } from '../src/stream.js';
import { isolatedParticipants } from '../src/stream-process.js';
import {
  applyArtifactUpdate,
  applyStatusUpdate,
  chunkEvent,
  chunkText,
  STREAM_ARTIFACT_ID,
  streamStartTask,
  turnEvent,
} from '../src/stream-shapes.js';
import {
  type StreamResult,
  type StreamSubjectResult,
  streamWindow,
  summarizeStream,
  totalVsSdk,
} from '../src/stream-stats.js';
import type { Subject } from '../src/subject.js';
import { sdkMemorySubject } from '../src/subjects/memory.js';
import { SqliteFloorTaskStore } from '../src/subjects/sqlite-floor.js';
import { checkTargets } from '../src/targets.js';
import { backendResult, reportOf } from './support/report-fixtures.js';

const textOf = (task: Task) =>
  task.artifacts[0]!.parts.map((part) =>
    part.content?.$case === 'text' ? part.content.value : '',
  );

describe('stream shapes', () => {
  it('makes chunks of exactly the asked size, each different', () => {
    expect(chunkText(0, 1000)).toHaveLength(1000);
    expect(chunkText(999, 1000)).toHaveLength(1000);
    expect(chunkText(3, 7)).toHaveLength(7);
    expect(chunkText(1, 1000)).not.toBe(chunkText(2, 1000));
  });

  it('creates the artifact with the first chunk, then appends one part per chunk', () => {
    let task = streamStartTask(true);
    expect(task.artifacts).toEqual([]);
    expect(task.history).toHaveLength(8);
    expect(chunkEvent(task, 0, 10).append).toBe(false);
    expect(chunkEvent(task, 1, 10).append).toBe(true);
    for (let i = 0; i < 3; i++) task = applyArtifactUpdate(task, chunkEvent(task, i, 10));
    expect(task.artifacts).toHaveLength(1);
    expect(task.artifacts[0]!.artifactId).toBe(STREAM_ARTIFACT_ID);
    expect(textOf(task)).toEqual([chunkText(0, 10), chunkText(1, 10), chunkText(2, 10)]);
    expect(task.history).toHaveLength(8);
  });

  it('leaves the loaded task as it was (the SDK mutates its own copy, never the store)', () => {
    const start = applyArtifactUpdate(
      streamStartTask(true),
      chunkEvent(streamStartTask(true), 0, 5),
    );
    const before = structuredClone(start);
    applyArtifactUpdate(start, chunkEvent(start, 1, 5));
    expect(start).toEqual(before);
  });

  it('replaces the artifact on a chunk without append, as the SDK does', () => {
    const start = streamStartTask(true);
    let task = applyArtifactUpdate(start, chunkEvent(start, 0, 5));
    task = applyArtifactUpdate(task, chunkEvent(task, 1, 5));
    task = applyArtifactUpdate(task, { ...chunkEvent(task, 2, 5), append: false });
    expect(textOf(task)).toEqual([chunkText(2, 5)]);
  });

  it('grows the history by one message per status update, from none', () => {
    let task = streamStartTask(false);
    expect(task.history).toEqual([]);
    for (let i = 0; i < 4; i++) task = applyStatusUpdate(task, turnEvent(task, i, 20));
    expect(task.history).toHaveLength(4);
    expect(task.status?.message?.messageId).toBe(task.history[3]!.messageId);
    expect(Date.parse(task.status!.timestamp!)).toBeGreaterThan(
      Date.parse(streamStartTask(false).status!.timestamp!),
    );
    // A status update whose message is already in the history does not add it again.
    const again = applyStatusUpdate(task, { ...turnEvent(task, 4, 20), status: task.status });
    expect(again.history).toHaveLength(4);
  });
});

describe('stream stats', () => {
  const ms = (values: readonly number[]) => values.map((v) => BigInt(v * 1_000_000));

  it('averages a tenth of the calls at each end, at least one', () => {
    expect(streamWindow(1000)).toBe(100);
    expect(streamWindow(100)).toBe(10);
    expect(streamWindow(5)).toBe(1);
  });

  it('computes the means of both ends, their growth and the total', () => {
    // 20 calls: window 2. First two average 1 ms, last two 3 ms.
    const samples = ms([1, 1, ...Array<number>(16).fill(2), 3, 3]);
    expect(summarizeStream(samples)).toEqual({
      calls: 20,
      window: 2,
      firstMeanUs: 1000,
      lastMeanUs: 3000,
      growth: 3,
      totalSeconds: 0.04,
    });
  });

  it('divides the SDK store total by each subject total', () => {
    const subject = (name: string, role: 'sdk' | 'adapter', totalMs: number) =>
      ({
        name,
        role,
        save: summarizeStream(ms([totalMs])),
        load: summarizeStream(ms([1])),
      }) satisfies StreamSubjectResult;
    const result: StreamResult = {
      variant: 'artifact chunks',
      events: 1,
      partChars: 1,
      subjects: [subject('sdk', 'sdk', 100), subject('ours', 'adapter', 10)],
    };
    expect(totalVsSdk(result, result.subjects[1]!)).toBeCloseTo(10);
    expect(totalVsSdk({ ...result, subjects: [result.subjects[1]!] }, result.subjects[1]!)).toBe(
      undefined,
    );
  });
});

describe('stream run', () => {
  const options = parseBenchOptions(
    ['--stream', '--stream-chunks', '12', '--stream-messages', '5', '--stream-chunk-size', '50'],
    '/tmp',
  );

  function traced(name: string, calls: string[], inner = sdkMemorySubject()): Subject {
    const store = inner.taskStore;
    return {
      ...inner,
      name,
      taskStore: {
        save: (task, context) => {
          calls.push(`${name} save ${task.artifacts[0]?.parts.length ?? 0}`);
          return store.save(task, context);
        },
        load: (id, context) => {
          calls.push(`${name} load`);
          return store.load(id, context);
        },
        list: (params, context) => store.list(params, context),
      },
    };
  }

  it('parses the stream options, with the issue sizes as defaults', () => {
    expect(options).toMatchObject({
      streamOnly: true,
      streamChunks: 12,
      streamMessages: 5,
      streamChunkSize: 50,
    });
    expect(parseBenchOptions([], '/tmp')).toMatchObject({
      streamOnly: false,
      streamChunks: 1000,
      streamMessages: 100,
      streamChunkSize: 1000,
    });
    expect(() => parseBenchOptions(['--stream', '--scaling'], '/tmp')).toThrow(/separate runs/);
    expect(() => parseBenchOptions(['--stream-chunks', '0'], '/tmp')).toThrow();
  });

  it('loads then saves the grown task, subjects interleaved op by op', async () => {
    const calls: string[] = [];
    const subjects = [traced('a', calls), traced('b', calls)];
    const result = await runStream(subjects.map(inProcess), 'artifact chunks', 3, 50);
    // The untimed start saves, then per event each subject loads and saves one more chunk, the
    // first subject moving on by one each event; then the final check loads.
    expect(calls).toEqual([
      ...['a save 0', 'b save 0'],
      ...['a load', 'a save 1', 'b load', 'b save 1'],
      ...['b load', 'b save 2', 'a load', 'a save 2'],
      ...['a load', 'a save 3', 'b load', 'b save 3'],
      ...['a load', 'b load'],
    ]);
    expect(result.subjects.map((s) => [s.name, s.save.calls, s.load.calls])).toEqual([
      ['a', 3, 3],
      ['b', 3, 3],
    ]);
  });

  it('runs both streams on a real store and checks what it stored', async () => {
    const database = new Database(':memory:');
    const floor: Subject = {
      name: 'sqlite floor',
      role: 'floor',
      taskStore: new SqliteFloorTaskStore(database),
      close: async () => void database.close(),
    };
    const results = await runStreams([floor, sdkMemorySubject()].map(inProcess), options, () => {});
    expect(results.map((r) => [r.variant, r.events, r.partChars, r.subjects.length])).toEqual([
      ['artifact chunks', 12, 50, 2],
      ['history', 5, 50, 2],
    ]);
    expect(results[0]!.subjects[0]!.save).toMatchObject({ calls: 12, window: 1 });
    await floor.close();
  });

  it('stops at a store that loses a chunk', async () => {
    const inner = sdkMemorySubject();
    const lossy: Subject = {
      ...inner,
      name: 'lossy',
      taskStore: {
        ...inner.taskStore,
        save: (task, context) => {
          const parts = task.artifacts[0]?.parts ?? [];
          const kept = parts.length > 1 ? parts.slice(1) : parts;
          const artifacts = task.artifacts.map((a) => ({ ...a, parts: kept }));
          return inner.taskStore.save({ ...task, artifacts }, context);
        },
        load: (id, context) => inner.taskStore.load(id, context),
        list: (params, context) => inner.taskStore.list(params, context),
      },
    };
    await expect(runStream([inProcess(lossy)], 'artifact chunks', 3, 10)).rejects.toThrow(
      /^lossy: artifact chunks event 2: task holds 1 chunks, not 2$/,
    );
  });

  it("runs each subject in a process of its own, interleaved, and reports a child's failure", async () => {
    const { participants, settings, close } = await isolatedParticipants('memory');
    try {
      expect(participants.map((p) => [p.name, p.role])).toEqual([
        [sdkMemorySubject().name, 'memory'],
      ]);
      expect(settings).toContain('process memory');
      const result = await runStream(participants, 'history', 4, 20);
      expect(result.subjects[0]!.save.calls).toBe(4);
      expect(result.subjects[0]!.load.totalSeconds).toBeGreaterThan(0);
      // An event out of order fails the child's load check, and the parent says which subject.
      await expect(participants[0]!.event(9)).rejects.toThrow(
        /^sdk InMemoryTaskStore: history event 9: task holds 4 messages, not 9$/,
      );
    } finally {
      await close();
    }
  }, 60_000);

  it('streams the adapters, floors, SDK stores and cached wrappers only', () => {
    const of = (role: Subject['role'], wraps?: Subject['wraps']) =>
      streams({ ...sdkMemorySubject(), role, ...(wraps ? { wraps } : {}) });
    expect(['adapter', 'floor', 'sdk', 'memory'].every((r) => of(r as Subject['role']))).toBe(true);
    expect(of('guarded-floor')).toBe(false);
    expect(of('variant')).toBe(false);
    expect(of('wrapper', { inner: 'x', cache: true })).toBe(true);
    expect(of('wrapper', { inner: 'x', cache: false })).toBe(false);
    expect(of('wrapper', { inner: 'x', cache: false, floor: true })).toBe(false);
  });
});

describe('stream targets and report', () => {
  const series = (firstUs: number, lastUs: number, totalSeconds: number) => ({
    calls: 1000,
    window: 100,
    firstMeanUs: firstUs,
    lastMeanUs: lastUs,
    growth: lastUs / firstUs,
    totalSeconds,
  });
  const chunks = (adapterLastUs: number, adapterTotal: number): StreamResult => ({
    variant: 'artifact chunks',
    events: 1000,
    partChars: 1000,
    subjects: [
      { name: 'floor', role: 'floor', save: series(800, 20_000, 9.8), load: series(50, 900, 1) },
      {
        name: 'ours',
        role: 'adapter',
        save: series(800, adapterLastUs, adapterTotal),
        load: series(50, 60, 0.1),
      },
      { name: 'sdk', role: 'sdk', save: series(1100, 23_000, 10.9), load: series(60, 1000, 1) },
      { name: 'kms', role: 'wrapper', save: series(900, 1000, 0.9), load: series(60, 70, 0.1) },
    ],
  });

  it('judges growth on adapters and wrappers, totals vs the SDK store on SQLite/PostgreSQL', () => {
    const today = { ...backendResult('sqlite', []), stream: [chunks(19_873, 9.2)] };
    const checks = checkTargets(reportOf([today]));
    expect(checks.map((c) => [c.target, c.status])).toEqual([
      [
        'ours: 1000 × 1000-char artifact chunks stream, save mean of last 100 ≤ 1.5x first 100',
        'missed',
      ],
      [
        'ours: 1000 × 1000-char artifact chunks stream, total save time ≥ 10x lower than SDK store',
        'missed',
      ],
      [
        'kms: 1000 × 1000-char artifact chunks stream, save mean of last 100 ≤ 1.5x first 100',
        'met',
      ],
    ]);
    const fixed = { ...backendResult('postgres', []), stream: [chunks(1000, 0.9)] };
    expect(checkTargets(reportOf([fixed])).filter((c) => c.status !== 'met')).toEqual([]);
    // Redis has no SDK store: only growth is judged there.
    const redis = { ...backendResult('redis', []), stream: [chunks(1000, 0.9)] };
    expect(checkTargets(reportOf([redis])).map((c) => c.target)).toHaveLength(2);
  });

  it('renders one table per stream with growth and totals against the SDK store', () => {
    const report = reportOf([{ ...backendResult('sqlite', []), stream: [chunks(19_873, 9.2)] }], {
      startedAt: 's',
      finishedAt: 'f',
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v', platform: 'p' },
      options: parseBenchOptions(['--stream'], '/tmp'),
    });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('Stream, artifact chunks: 1000 events of 1000 characters');
    expect(markdown).toContain(
      '| ours | 800 | 19873 | 24.84x | 9.20 | 1.18x | 50 | 60 | 1.20x | 0.10 |',
    );
    expect(markdown).toContain('| sdk | 1100 | 23000 | 20.91x | 10.90 | – |');
  });
});
