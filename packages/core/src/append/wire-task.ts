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
 * A deep copy of a parsed JSON tree. Strings are shared (immutable), nodes are not: the SDK's
 * decoder hands some nodes of its input (metadata, data parts) to the task it returns, and the
 * caller may edit that task.
 */
function cloneJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out;
  }
  const out: WireObject = {};
  for (const key of Object.keys(value)) {
    const item = (value as WireObject)[key];
    // An own `__proto__` key (JSON.parse makes them) stays data instead of setting the prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: cloneJson(item), enumerable: true, writable: true });
    } else out[key] = cloneJson(item);
  }
  return out;
}

/**
 * A stored task in its parsed wire form: the full write's task object and artifact list with
 * every segment appended since applied in order. `artifacts` undefined: not read.
 */
export class WireTask {
  private constructor(
    private readonly taskId: string,
    private head: WireObject,
    private readonly history: unknown[],
    private readonly artifacts: WireObject[] | undefined,
  ) {}

  /** Parses a full write (`body`, `artifacts`; `artifacts` undefined: the caller did not ask). */
  static parse(taskId: string, body: unknown, artifacts: unknown): WireTask {
    const head = parseObject(body, taskId);
    const history: unknown[] = [];
    if (head.history !== undefined) pushAll(history, head.history, taskId, 'history');
    const list =
      artifacts === undefined
        ? undefined
        : artifacts === null
          ? []
          : (parseArtifactList(taskId, artifacts) as WireObject[]);
    return new WireTask(taskId, head, history, list);
  }

  /**
   * Applies one segment: it carries the whole head (status, metadata) and the messages, parts
   * and artifacts it added.
   */
  apply(segment: TaskSegment): void {
    const parsed = parseObject(segment.body, this.taskId, 'segment is');
    if (!isObject(parsed.head)) throw new CorruptRecordError(this.taskId, 'segment has no head');
    this.head = parsed.head;
    if (parsed.history !== undefined) {
      pushAll(this.history, parsed.history, this.taskId, 'segment history');
    }
    if (this.artifacts) applyArtifactOps(this.artifacts, segment.artifacts, this.taskId);
  }

  /**
   * Applies only a segment's artifact changes: for a task parsed from its recent form, which
   * already holds the head and messages the segments added.
   */
  applyArtifacts(segment: TaskSegment): void {
    if (this.artifacts) applyArtifactOps(this.artifacts, segment.artifacts, this.taskId);
  }

  /**
   * The task, as `decodeTask` makes it. The task shares nodes with this wire form: call once,
   * or on a {@link clone}.
   */
  toTask(): Task {
    const list = this.artifacts;
    return decodeTaskObject(
      this.taskId,
      { ...this.head, history: this.history },
      list?.length ? list : undefined,
    );
  }

  /** A copy that shares only strings with this one. */
  clone(): WireTask {
    return new WireTask(
      this.taskId,
      cloneJson(this.head) as WireObject,
      cloneJson(this.history) as unknown[],
      this.artifacts && (cloneJson(this.artifacts) as WireObject[]),
    );
  }
}
