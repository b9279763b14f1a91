import type { Task } from '@a2a-js/sdk';
import type { TaskSegment } from '../backend.js';
import { CorruptRecordError } from '../errors.js';
import { parseStoredJson } from '../stored-json.js';
import { decodeTaskObject, parseArtifactList, parseObject } from '../task-codec.js';

type WireObject = Record<string, unknown>;

function isObject(value: unknown): value is WireObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Appends `items` to `target` in place (no copy per segment: a long stream stays linear). */
function pushAll(target: unknown[], items: unknown, taskId: string, what: string): void {
  if (!Array.isArray(items)) throw new CorruptRecordError(taskId, `${what} is not a JSON array`);
  for (const item of items) target.push(item);
}

/** Applies one segment's artifact changes (see plan-append.ts for their shape). */
function applyArtifactOps(artifacts: WireObject[], text: unknown, taskId: string): void {
  if (text === '' || text === undefined || text === null) return;
  const ops = parseStoredJson(text, taskId, 'segment artifacts are');
  if (!Array.isArray(ops)) throw new CorruptRecordError(taskId, 'segment artifacts are not a list');
  for (const op of ops) {
    const index = isObject(op) ? op.i : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      throw new CorruptRecordError(taskId, 'segment artifact change has no valid index');
    }
    const change = op as WireObject;
    if (isObject(change.artifact) && index <= artifacts.length) {
      artifacts[index] = change.artifact;
      continue;
    }
    const stored = artifacts[index];
    if (!stored || !isObject(change.head)) {
      throw new CorruptRecordError(taskId, 'segment artifact change does not apply');
    }
    const parts = Array.isArray(stored.parts) ? stored.parts : [];
    pushAll(parts, change.parts, taskId, 'segment parts');
    artifacts[index] = parts.length ? { ...change.head, parts } : change.head;
  }
}

/**
 * Decodes a stored task from its full write (`body`, `artifacts`) and the segments appended
 * since, oldest first. Each segment carries the whole head (status, metadata) and the messages,
 * parts and artifacts it added. `artifacts` undefined: the caller did not ask for them.
 */
export function decodeSegmentedTask(
  taskId: string,
  body: unknown,
  artifacts: unknown,
  segments: readonly TaskSegment[],
): Task {
  let head = parseObject(body, taskId);
  const history: unknown[] = [];
  if (head.history !== undefined) pushAll(history, head.history, taskId, 'history');
  const list =
    artifacts === undefined
      ? undefined
      : artifacts === null
        ? []
        : (parseArtifactList(taskId, artifacts) as WireObject[]);
  for (const segment of segments) {
    const parsed = parseObject(segment.body, taskId, 'segment is');
    if (!isObject(parsed.head)) throw new CorruptRecordError(taskId, 'segment has no head');
    head = parsed.head;
    if (parsed.history !== undefined) pushAll(history, parsed.history, taskId, 'segment history');
    if (list) applyArtifactOps(list, segment.artifacts, taskId);
  }
  return decodeTaskObject(taskId, { ...head, history }, list?.length ? list : undefined);
}
