import type { Task } from '@a2a-js/sdk';
import type { TaskSegment } from '../backend.js';
import { WireTask } from './wire-task.js';

/**
 * What a remembered task holds in storage at one version and lineage, kept so a load that finds
 * the row unchanged decodes it without reading it again: the parsed wire form (after a load), or
 * the text of the last full write (after a save, parsed only when a load needs it), plus the
 * segments this process appended since. A load then costs a copy of the task's nodes, not a
 * read and parse of its text, and allocates none of its strings.
 */
export class StoredForm {
  #base: { readonly body: string; readonly artifacts: string } | undefined;
  #wire: WireTask | undefined;
  #pending: TaskSegment[] = [];

  private constructor(
    base: { readonly body: string; readonly artifacts: string } | undefined,
    wire: WireTask | undefined,
  ) {
    this.#base = base;
    this.#wire = wire;
  }

  /** After a full write of this text. */
  static written(body: string, artifacts: string): StoredForm {
    return new StoredForm({ body, artifacts }, undefined);
  }

  /** After a load, from its wire form (which must share no node with the task handed out). */
  static loaded(wire: WireTask): StoredForm {
    return new StoredForm(undefined, wire);
  }

  /**
   * The stored task took one more segment (this process appended it). A form has one owner,
   * the snapshot of the version it describes, which hands it to the next version's snapshot.
   */
  append(segment: TaskSegment): void {
    this.#pending.push(segment);
  }

  /** The task as a read of the row would decode it; a new object tree on every call. */
  task(taskId: string): Task {
    let wire = this.#wire;
    if (!wire) {
      const base = this.#base!;
      wire = WireTask.parse(taskId, base.body, base.artifacts);
      this.#base = undefined;
      this.#wire = wire;
    }
    for (const segment of this.#pending) wire.apply(segment);
    this.#pending = [];
    return wire.clone().toTask();
  }
}
