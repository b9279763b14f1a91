import type { Scope } from '../scope.js';
import type { TaskSnapshot } from './task-snapshot.js';

/**
 * Tasks smaller than this are always written whole: the write costs about what an append
 * costs, and small tasks (most of them) keep no snapshot in memory.
 */
export const APPEND_MIN_BYTES = 8 * 1024;

/** A full write replaces the segments once they hold as much as the full write did (or this many). */
const MAX_SEGMENTS = 1024;

/** Bounds of the memory the snapshots of one store hold (they share strings with tasks). */
const MAX_ENTRIES = 256;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/**
 * True when a save should write the task whole rather than append: the segments then hold as
 * much as the last full write did, so the full writes of a growing task double in size each
 * time and their total cost stays linear in its final size.
 */
export function compactionDue(snapshot: TaskSnapshot): boolean {
  return snapshot.segmentCount >= MAX_SEGMENTS || snapshot.segmentChars >= snapshot.baseChars;
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
    this.#totalBytes += snapshot.bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= MAX_ENTRIES && this.#totalBytes <= MAX_TOTAL_BYTES) break;
      this.#entries.delete(oldest);
      this.#totalBytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#totalBytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#totalBytes = 0;
  }
}
