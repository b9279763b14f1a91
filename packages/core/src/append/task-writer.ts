import type { Task } from '@a2a-js/sdk';
import type {
  ExpectedVersion,
  KnownTaskVersion,
  PutOutcome,
  TaskBackend,
  TaskRow,
} from '../backend.js';
import type { Scope } from '../scope.js';
import { encodeTask, serialising, taskColumns } from '../task-codec.js';
import { planAppend } from './plan-append.js';
import { lastMessagesJson, recentFrom } from './recent-history.js';
import { APPEND_MIN_BYTES, compactionDue, SnapshotCache } from './snapshot-cache.js';
import { StoredForm } from './stored-form.js';
import { adoptDecodedText, snapshotOf, taskHeadJson } from './task-snapshot.js';
import type { WireTask } from './wire-task.js';

/** A write's outcome and the state it tried to store (for the stale-write error). */
export interface TaskWrite {
  readonly outcome: PutOutcome;
  readonly state: number;
}

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/**
 * Writes tasks so a save costs what changed: when this process knows the stored form of a large
 * task (from its last write or load) and the save only appends to it, the backend stores one
 * more segment; otherwise, or when the backend cannot append, the task is written whole.
 * Every append is conditioned on the row's version and lineage, so a write from elsewhere in
 * between turns it into a full write, never into a wrong task.
 */
export class TaskWriter {
  readonly #backend: TaskBackend;
  readonly #maxBytes: number;
  readonly #snapshots = new SnapshotCache();

  constructor(backend: TaskBackend, maxBytes: number) {
    this.#backend = backend;
    this.#maxBytes = maxBytes;
  }

  async write(
    scope: Scope,
    task: Task,
    expected: ExpectedVersion,
    now: number,
  ): Promise<TaskWrite> {
    const columns = taskColumns(task);
    const key = this.#snapshots.size > 0 ? this.#snapshots.key(scope, task.id) : undefined;
    const snapshot = key === undefined ? undefined : this.#snapshots.get(key);
    if (
      key !== undefined &&
      snapshot &&
      this.#backend.append &&
      (expected === undefined || expected === snapshot.version) &&
      !compactionDue(snapshot)
    ) {
      const plan = planAppend(snapshot, task, columns);
      // Over the limit (or maybe: a replaced artifact makes the size an upper bound): the full
      // encoding below decides exactly.
      if (plan && plan.append.bytes <= this.#maxBytes) {
        this.#snapshots.delete(key);
        const outcome = await this.#backend.append(scope, plan.append, snapshot.version, now);
        if (outcome.status === 'written') {
          snapshot.stored?.append(plan.append.segment);
          this.#snapshots.set(key, { ...plan.next, version: outcome.version });
        }
        if (outcome.status !== 'conflict') return { outcome, state: columns.state };
      }
    }
    let encoded = encodeTask(task, this.#maxBytes);
    // A large task also stores its recent form; a small one's body is as cheap to read.
    const lastMessages =
      encoded.bytes >= APPEND_MIN_BYTES ? lastMessagesJson(task.history ?? []) : undefined;
    const recent =
      lastMessages &&
      recentFrom(
        serialising(() => taskHeadJson(task)),
        lastMessages,
        task.history?.length ?? 0,
      );
    if (recent) encoded = { ...encoded, recent };
    if (key !== undefined) this.#snapshots.delete(key);
    const outcome = await this.#backend.put(scope, encoded, expected, now);
    if (outcome.status === 'written' && this.#backend.append && lastMessages) {
      const chars = encoded.body.length + encoded.artifacts.length;
      this.#snapshots.set(
        key ?? this.#snapshots.key(scope, task.id),
        snapshotOf(task, {
          version: outcome.version,
          lineage: encoded.lineage,
          bytes: encoded.bytes,
          baseChars: chars,
          segmentChars: 0,
          segmentCount: 0,
          stored: StoredForm.written(encoded.body, encoded.artifacts),
          lastMessages,
          recentText: recent ? recent.text : null,
        }),
      );
    }
    return { outcome, state: encoded.state };
  }

  /** Whether a load of `row` would be remembered ({@link observe} keeps a snapshot of it). */
  remembers(row: TaskRow): boolean {
    return (
      this.#backend.append !== undefined &&
      !!row.lineage &&
      row.bytes !== undefined &&
      row.bytes >= APPEND_MIN_BYTES
    );
  }

  /** The version a load may pass the backend as `known`: one whose content this writer holds. */
  known(scope: Scope, taskId: string): KnownTaskVersion | undefined {
    if (this.#snapshots.size === 0) return undefined;
    const snapshot = this.#snapshots.get(this.#snapshots.key(scope, taskId));
    return snapshot?.stored && { version: snapshot.version, lineage: snapshot.lineage };
  }

  /**
   * The task of a row the backend found `unchanged` since {@link known}; undefined when this
   * writer no longer holds it (dropped meanwhile): the caller reads the row whole.
   */
  loadUnchanged(scope: Scope, row: TaskRow): Task | undefined {
    const key = this.#snapshots.key(scope, row.id);
    const snapshot = this.#snapshots.get(key);
    if (!snapshot?.stored || snapshot.version !== row.version || snapshot.lineage !== row.lineage) {
      return undefined;
    }
    let task: Task | undefined;
    try {
      task = snapshot.stored.task(row.id);
    } catch {
      // Text this process wrote does not decode: forget it, and let the row speak.
    }
    // The next save compares the units it kept by reference.
    if (task && adoptDecodedText(snapshot, task)) return task;
    this.#snapshots.delete(key);
    return undefined;
  }

  /**
   * Remembers a task as just read (`row` with its artifacts, decoded from `wire` into `task`
   * before the caller sees it), so the save that usually follows a load can append, and the
   * next load can skip reading the task if nothing wrote it meanwhile.
   */
  observe(scope: Scope, row: TaskRow, task: Task, wire: WireTask): void {
    if (!this.remembers(row)) return;
    const key = this.#snapshots.key(scope, row.id);
    const known = this.#snapshots.get(key);
    if (known && known.version === row.version && known.lineage === row.lineage) {
      if (adoptDecodedText(known, task)) return;
    }
    let segmentChars = 0;
    for (const segment of row.segments ?? []) {
      segmentChars += textLength(segment.body) + textLength(segment.artifacts);
    }
    this.#snapshots.set(
      key,
      snapshotOf(task, {
        version: row.version,
        lineage: row.lineage!,
        bytes: row.bytes!,
        baseChars: textLength(row.body) + textLength(row.artifacts),
        segmentChars,
        segmentCount: row.segments?.length ?? 0,
        // `task` shares nodes with `wire`, and the caller may edit it.
        stored: StoredForm.loaded(wire.clone()),
      }),
    );
  }

  forget(scope: Scope, taskId: string): void {
    if (this.#snapshots.size > 0) this.#snapshots.delete(this.#snapshots.key(scope, taskId));
  }

  forgetAll(): void {
    this.#snapshots.clear();
  }
}
