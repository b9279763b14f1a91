import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { contextOf, randomScope } from './fixtures.js';
import type { BenchOptions } from './options.js';
import {
  applyArtifactUpdate,
  applyStatusUpdate,
  chunkEvent,
  STREAM_ARTIFACT_ID,
  streamStartTask,
  turnEvent,
} from './stream-shapes.js';
import { type StreamResult, type StreamVariant, summarizeStream } from './stream-stats.js';
import type { Subject } from './subject.js';
import { BenchCheckError, canonicalTask, checkLoaded } from './verify.js';

/**
 * Whether `subject` runs the streams: the adapters, the SDK's stores, the raw floor, and the
 * cached KMS wrappers. The guarded floors, the variants, the uncached wrappers and the AES-GCM
 * floor price details of point operations; a 1,000-event stream of each would double the run.
 */
export function streams(subject: Subject): boolean {
  switch (subject.role) {
    case 'adapter':
    case 'floor':
    case 'sdk':
    case 'memory':
      return true;
    case 'wrapper':
      return subject.wraps?.cache === true && subject.wraps.floor !== true;
    default:
      return false;
  }
}

/** One event of a stream: what the SDK's ResultManager makes of the loaded task, and a check. */
interface StreamStep {
  next(loaded: Task, index: number): Task;
  /** Cheap check of the load before event `index` (the full check runs once, at the end). */
  check(loaded: Task, index: number): string | undefined;
}

function stepOf(variant: StreamVariant, partChars: number): StreamStep {
  if (variant === 'artifact chunks') {
    return {
      next: (loaded, i) => applyArtifactUpdate(loaded, chunkEvent(loaded, i, partChars)),
      check: (loaded, i) => {
        const parts = loaded.artifacts.find((a) => a.artifactId === STREAM_ARTIFACT_ID)?.parts;
        return (parts?.length ?? 0) === i
          ? undefined
          : `holds ${parts?.length ?? 0} chunks, not ${i}`;
      },
    };
  }
  return {
    next: (loaded, i) => applyStatusUpdate(loaded, turnEvent(loaded, i, partChars)),
    check: (loaded, i) =>
      loaded.history.length === i ? undefined : `holds ${loaded.history.length} messages, not ${i}`,
  };
}

/** One subject's stream: its own scope and task, the task as last saved, and its latencies. */
interface StreamRun {
  readonly subject: Subject;
  readonly context: ServerCallContext;
  readonly taskId: string;
  expected: Task;
  readonly loads: bigint[];
  readonly saves: bigint[];
}

/**
 * One stream of `events` events on every subject, interleaved op by op: event i runs on every
 * subject (the first one moving on by one each event) before event i + 1 runs on any. Each event
 * is what the SDK's request handler does: `load` the task, apply the event to what was loaded,
 * `save` the result; load and save are timed apart. Every load is checked against the event
 * count, and the last state of every task against what was saved, outside the timing.
 */
export async function runStream(
  subjects: readonly Subject[],
  variant: StreamVariant,
  events: number,
  partChars: number,
  progress: (line: string) => void = () => {},
): Promise<StreamResult> {
  const step = stepOf(variant, partChars);
  const tenth = Math.max(1, Math.floor(events / 10));
  const runs: StreamRun[] = [];
  for (const subject of subjects) {
    const context = contextOf(randomScope());
    const start = streamStartTask(variant === 'artifact chunks');
    await subject.taskStore.save(start, context);
    runs.push({ subject, context, taskId: start.id, expected: start, loads: [], saves: [] });
  }
  for (let i = 0; i < events; i++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(i + k) % runs.length]!;
      const store = run.subject.taskStore;
      const loadStart = process.hrtime.bigint();
      const loaded = await store.load(run.taskId, run.context);
      run.loads.push(process.hrtime.bigint() - loadStart);
      if (!loaded) throw new BenchCheckError(run.subject.name, `load(${run.taskId}) found nothing`);
      const wrong = step.check(loaded, i);
      if (wrong)
        throw new BenchCheckError(run.subject.name, `${variant} event ${i}: task ${wrong}`);
      const next = step.next(loaded, i);
      const saveStart = process.hrtime.bigint();
      await store.save(next, run.context);
      run.saves.push(process.hrtime.bigint() - saveStart);
      run.expected = next;
    }
    if ((i + 1) % tenth === 0) progress(`stream: ${variant}, ${i + 1}/${events} events`);
  }
  for (const run of runs) {
    const loaded = await run.subject.taskStore.load(run.taskId, run.context);
    checkLoaded(run.subject.name, run.taskId, loaded, canonicalTask(run.expected));
  }
  return {
    variant,
    events,
    partChars,
    subjects: runs.map((run) => ({
      name: run.subject.name,
      role: run.subject.role,
      save: summarizeStream(run.saves),
      load: summarizeStream(run.loads),
    })),
  };
}

/** Both streams on the streaming subjects of one backend ({@link streams}), chunks first. */
export async function runStreams(
  subjects: readonly Subject[],
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<StreamResult[]> {
  const streaming = subjects.filter(streams);
  const results: StreamResult[] = [];
  const plan: [StreamVariant, number][] = [
    ['artifact chunks', options.streamChunks],
    ['history', options.streamMessages],
  ];
  for (const [variant, events] of plan) {
    progress(`stream: ${variant}, ${events} events on ${streaming.length} subjects interleaved`);
    results.push(await runStream(streaming, variant, events, options.streamChunkSize, progress));
  }
  return results;
}
