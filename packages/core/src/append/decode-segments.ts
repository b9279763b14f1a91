import type { Task } from '@a2a-js/sdk';
import type { TaskSegment } from '../backend.js';
import { WireTask } from './wire-task.js';

/**
 * Decodes a stored task from its full write (`body`, `artifacts`) and the segments appended
 * since, oldest first. `artifacts` undefined: the caller did not ask for them.
 */
export function decodeSegmentedTask(
  taskId: string,
  body: unknown,
  artifacts: unknown,
  segments: readonly TaskSegment[],
): Task {
  return wireTaskOf(taskId, body, artifacts, segments).toTask();
}

/** The parsed wire form of a stored task and its segments. */
export function wireTaskOf(
  taskId: string,
  body: unknown,
  artifacts: unknown,
  segments: readonly TaskSegment[],
): WireTask {
  const wire = WireTask.parse(taskId, body, artifacts);
  for (const segment of segments) wire.apply(segment);
  return wire;
}

/**
 * Decodes a task a list read in its recent form (head and last messages) with its artifacts
 * (undefined: not asked for) and the artifact changes of its segments.
 */
export function decodeRecentTask(
  taskId: string,
  recent: unknown,
  artifacts: unknown,
  segments: readonly TaskSegment[],
): Task {
  const wire = WireTask.parse(taskId, recent, artifacts);
  for (const segment of segments) wire.applyArtifacts(segment);
  return wire.toTask();
}
