import { randomUUID } from 'node:crypto';
import {
  type Artifact,
  type Message,
  type Part,
  Role,
  type Task,
  type TaskArtifactUpdateEvent,
  TaskState,
  type TaskStatusUpdateEvent,
} from '@a2a-js/sdk';
import { BASE_TIME, makeTask } from './fixtures.js';

/** Id of the one artifact the stream appends its chunks to. */
export const STREAM_ARTIFACT_ID = 'answer';

const FILLER = 'lorem ipsum dolor sit amet, consectetur adipiscing elit; ';

/** Exactly `size` characters, starting with `index` so every chunk differs from the others. */
export function chunkText(index: number, size: number): string {
  const head = `${index}: `;
  return (head + FILLER.repeat(Math.ceil(size / FILLER.length) + 1)).slice(0, size);
}

function textPart(value: string): Part {
  return { content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: '' };
}

/**
 * The task a stream starts from, saved untimed before its first event: working, no artifact yet.
 * `withHistory` false gives it an empty history, so the history variant grows it from zero.
 */
export function streamStartTask(withHistory: boolean): Task {
  const task = makeTask(0);
  return withHistory ? task : { ...task, history: [] };
}

/**
 * The artifact-update event of chunk `index` (0-based): one text part of `size` characters, with
 * `append: true` from the second chunk on (the first one creates the artifact).
 */
export function chunkEvent(task: Task, index: number, size: number): TaskArtifactUpdateEvent {
  const artifact: Artifact = {
    artifactId: STREAM_ARTIFACT_ID,
    name: 'answer',
    description: '',
    parts: [textPart(chunkText(index, size))],
    metadata: undefined,
    extensions: [],
  };
  return {
    taskId: task.id,
    contextId: task.contextId,
    artifact,
    append: index > 0,
    lastChunk: false,
    metadata: undefined,
  };
}

/**
 * What the SDK's ResultManager (`applyArtifactUpdate`, @a2a-js/sdk 1.3.0) makes of `loaded` on
 * `event` before it saves: an appended chunk adds its parts to the existing artifact's, a new
 * artifact is pushed, anything else replaces the artifact of the same id. Mirrored rather than
 * imported because the SDK does not export the step apart from the store call it ends with.
 */
export function applyArtifactUpdate(loaded: Task, event: TaskArtifactUpdateEvent): Task {
  const artifact = event.artifact;
  if (!artifact) return loaded;
  const task: Task = { ...loaded, artifacts: [...loaded.artifacts] };
  const index = task.artifacts.findIndex((art) => art.artifactId === artifact.artifactId);
  if (index === -1) {
    task.artifacts.push(structuredClone(artifact));
  } else if (event.append) {
    const existing = task.artifacts[index]!;
    task.artifacts[index] = {
      ...existing,
      parts: [...existing.parts, ...structuredClone(artifact.parts)],
    };
  } else {
    task.artifacts[index] = structuredClone(artifact);
  }
  return task;
}

/** Message `index` of the history variant: an agent turn whose text is `size` characters. */
function turn(task: Task, index: number, size: number): Message {
  return {
    messageId: randomUUID(),
    contextId: task.contextId,
    taskId: task.id,
    role: Role.ROLE_AGENT,
    parts: [textPart(chunkText(index, size))],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * The status-update event of step `index` (0-based) of the history variant: still working, one
 * second later, carrying a message of `size` characters.
 */
export function turnEvent(task: Task, index: number, size: number): TaskStatusUpdateEvent {
  return {
    taskId: task.id,
    contextId: task.contextId,
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: turn(task, index, size),
      timestamp: new Date(BASE_TIME + (index + 1) * 1000).toISOString(),
    },
    metadata: undefined,
  };
}

/**
 * What the SDK's ResultManager (`applyStatusUpdate`) makes of `loaded` on `event`: the new status,
 * and its message appended to the history unless a message of that id is already there.
 */
export function applyStatusUpdate(loaded: Task, event: TaskStatusUpdateEvent): Task {
  const task: Task = { ...loaded, status: structuredClone(event.status) };
  const update = event.status?.message;
  if (update && !task.history.some((message) => message.messageId === update.messageId)) {
    task.history = [...task.history, structuredClone(update)];
  }
  return task;
}
