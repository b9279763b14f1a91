import type { Scope } from '../scope.js';
import type { TaskSnapshot } from './task-snapshot.js';

/**
 * Tasks smaller than this are always written whole: the write costs about what an append
 * costs, and small tasks (most of them) keep no snapshot in memory.
 */
export const APPEND_MIN_BYTES = 8 * 1024;

/** Segments a task keeps at most before a full write folds them in (bounds what a load reads). */
const MAX_SEGMENTS = 1024;

/** Bounds of the memory the snapshots of one store hold (they share strings with tasks). */
const MAX_ENTRIES = 256;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/**
 * True when a save should write the task whole rather than append. Appends store only what is
 * new, so their text stays below the task's size; what they repeat (the head of every segment,
 * artifacts replaced whole) can make them outgrow it. Folding them in when they hold twice the
 * task bounds the storage to three times the task, and the segment cap bounds a load's rows;
 * a full write every 1,024 saves of a task capped at `maxTaskBytes` costs each save a constant.
 */
export function compactionDue(snapshot: TaskSnapshot): boolean {
  return (
    snapshot.segmentCount >= MAX_SEGMENTS ||
    snapshot.segmentChars > 2 * Math.max(snapshot.bytes, snapshot.baseChars)
  );
}

/**
 * Memory a snapshot holds: the copies of its units share their strings with the tasks, and its
 * stored form holds the task's text once more (as written, or parsed).
 */
function weightOf(snapshot: TaskSnapshot): number {
  return snapshot.stored ? 2 * snapshot.bytes : snapshot.bytes;
}

/**
 * The last known stored form of recently written or read large tasks, least recently used
 * first out. A snapshot only proves anything together with the row's version and lineage,
 * which every append is conditioned on: a stale entry costs a conflict and a full write,
 * never a wrong task.
 */
export class SnapshotCache {
  readonly #entries = new Map<string, TaskSnapshot>();
  #totalBytes = 0;

  get size(): number {
    return this.#entries.size;
  }

  key(scope: Scope, taskId: string): string {
    return JSON.stringify([scope.tenant, scope.owner, taskId]);
  }

  get(key: string): TaskSnapshot | undefined {
    return this.#entries.get(key);
  }

  set(key: string, snapshot: TaskSnapshot): void {
    this.delete(key);
    this.#entries.set(key, snapshot);
    this.#totalBytes += weightOf(snapshot);
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= MAX_ENTRIES && this.#totalBytes <= MAX_TOTAL_BYTES) break;
      this.#entries.delete(oldest);
      this.#totalBytes -= weightOf(entry);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#totalBytes -= weightOf(entry);
  }

  clear(): void {
    this.#entries.clear();
    this.#totalBytes = 0;
  }
}
