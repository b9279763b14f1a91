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
import type { Subject, SubjectRole } from './subject.js';
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

export function stepOf(variant: StreamVariant, partChars: number): StreamStep {
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

/** One subject's side of a stream, in this process or in a process of its own. */
export interface StreamParticipant {
  readonly name: string;
  readonly role: SubjectRole;
  /** Saves the task the stream starts from (untimed). */
  start(variant: StreamVariant, partChars: number): Promise<void>;
  /** Event `index`: load (timed), the SDK's step, save (timed); checks the load. */
  event(index: number): Promise<{ readonly load: bigint; readonly save: bigint }>;
  /** Checks the task as last stored against what was saved last (untimed). */
  finish(): Promise<void>;
}

/** A subject's side of a stream run in this process, on this process's heap. */
export function inProcess(subject: Subject): StreamParticipant {
  let run:
    | {
        context: ServerCallContext;
        taskId: string;
        expected: Task;
        step: StreamStep;
        variant: StreamVariant;
      }
    | undefined;
  const store = subject.taskStore;
  const current = () => {
    if (!run) throw new Error(`${subject.name}: stream event before its start`);
    return run;
  };
  return {
    name: subject.name,
    role: subject.role,
    async start(variant, partChars) {
      const context = contextOf(randomScope());
      const start = streamStartTask(variant === 'artifact chunks');
      await store.save(start, context);
      run = {
        context,
        taskId: start.id,
        expected: start,
        step: stepOf(variant, partChars),
        variant,
      };
    },
    async event(i) {
      const { context, taskId, step, variant } = current();
      const loadStart = process.hrtime.bigint();
      const loaded = await store.load(taskId, context);
      const load = process.hrtime.bigint() - loadStart;
      if (!loaded) throw new BenchCheckError(subject.name, `load(${taskId}) found nothing`);
      const wrong = step.check(loaded, i);
      if (wrong) throw new BenchCheckError(subject.name, `${variant} event ${i}: task ${wrong}`);
      const next = step.next(loaded, i);
      const saveStart = process.hrtime.bigint();
      await store.save(next, context);
      const save = process.hrtime.bigint() - saveStart;
      current().expected = next;
      return { load, save };
    },
    async finish() {
      const { context, taskId, expected } = current();
      const loaded = await store.load(taskId, context);
      checkLoaded(subject.name, taskId, loaded, canonicalTask(expected));
    },
  };
}

/**
 * One stream of `events` events on every participant, interleaved op by op: event i runs on
 * every participant (the first one moving on by one each event) before event i + 1 runs on any.
 * Each event is what the SDK's request handler does: `load` the task, apply the event to what
 * was loaded, `save` the result; load and save are timed apart. Every load is checked against
 * the event count, and the last state of every task against what was saved, outside the timing.
 */
export async function runStream(
  participants: readonly StreamParticipant[],
  variant: StreamVariant,
  events: number,
  partChars: number,
  progress: (line: string) => void = () => {},
): Promise<StreamResult> {
  const tenth = Math.max(1, Math.floor(events / 10));
  const loads = participants.map((): bigint[] => []);
  const saves = participants.map((): bigint[] => []);
  for (const participant of participants) await participant.start(variant, partChars);
  for (let i = 0; i < events; i++) {
    for (let k = 0; k < participants.length; k++) {
      const index = (i + k) % participants.length;
      const timed = await participants[index]!.event(i);
      loads[index]!.push(timed.load);
      saves[index]!.push(timed.save);
    }
    if ((i + 1) % tenth === 0) progress(`stream: ${variant}, ${i + 1}/${events} events`);
  }
  for (const participant of participants) await participant.finish();
  return {
    variant,
    events,
    partChars,
    subjects: participants.map((participant, index) => ({
      name: participant.name,
      role: participant.role,
      save: summarizeStream(saves[index]!),
      load: summarizeStream(loads[index]!),
    })),
  };
}

/** Both streams on the participants, chunks first. */
export async function runStreams(
  participants: readonly StreamParticipant[],
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  const plan: [StreamVariant, number][] = [
    ['artifact chunks', options.streamChunks],
    ['history', options.streamMessages],
  ];
  for (const [variant, events] of plan) {
    progress(`stream: ${variant}, ${events} events on ${participants.length} subjects interleaved`);
    results.push(await runStream(participants, variant, events, options.streamChunkSize, progress));
  }
  return results;
}
