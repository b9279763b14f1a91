import type { Task } from '@a2a-js/sdk';
import { byListOrder, type ListKey, listKeyOf } from './list-request.js';
import { PAGE_SIZE } from './options.js';
import { BenchCheckError } from './verify.js';

/** A page of `list` as the checks see it. */
export interface CheckedPage {
  readonly tasks: readonly Task[];
  readonly totalSize: number;
}

interface Settled {
  readonly key: ListKey;
  /** Position of this write among all settled writes of the scope. */
  readonly seq: number;
}

/**
 * What every client of the one-scope mixed run wrote to the shared scope. Other clients write
 * while a page is read, so a page cannot be predicted exactly; the checks judge it against what
 * was settled before the call started and what had started by the time it returned. Both bounds
 * are exact for a store that answers from one snapshot taken during the call.
 */
export class SharedScopeLedger {
  readonly #settled = new Map<string, Settled>();
  readonly #known = new Set<string>();
  /** Saves started and not yet returned, by task id. */
  readonly #writing = new Map<string, number>();
  #seq = 0;
  #insertsStarted = 0;
  #insertsSettled = 0;

  /** Call before the save of a task, new or not. */
  starting(task: Task, isNew: boolean): void {
    this.#known.add(task.id);
    this.#writing.set(task.id, (this.#writing.get(task.id) ?? 0) + 1);
    if (isNew) this.#insertsStarted++;
  }

  /** Call once the save of `task` returned. */
  settled(task: Task, isNew: boolean): void {
    this.#settled.set(task.id, { key: listKeyOf(task), seq: ++this.#seq });
    const writing = (this.#writing.get(task.id) ?? 1) - 1;
    if (writing > 0) this.#writing.set(task.id, writing);
    else this.#writing.delete(task.id);
    if (isNew) this.#insertsSettled++;
  }

  /** What a page read starting now must at least show. */
  mark(): { readonly seq: number; readonly inserts: number } {
    return { seq: this.#seq, inserts: this.#insertsSettled };
  }

  /**
   * Throws unless `page` (read after `before` was marked) is a first page this scope could have
   * shown: full or holding every settled task, only tasks someone saved, those no save touched
   * during the call as saved and in list order, every
   * task settled before the call (and not rewritten since) that ranks above the page's last entry
   * on it, and a `totalSize` (when counted: the floors report -1) between the inserts settled
   * before the call and those started by its end. Updates only move a task up the list (a later
   * timestamp), so a task settled before the call ranks at least as high in the store's snapshot.
   */
  check(subject: string, page: CheckedPage, before: ReturnType<SharedScopeLedger['mark']>): void {
    const fail = (what: string) => {
      throw new BenchCheckError(subject, `one-scope first page: ${what}`);
    };
    const keys = page.tasks.map(listKeyOf);
    const ids = new Set(keys.map((key) => key.id));
    if (ids.size !== keys.length) fail('an id appears twice');
    if (keys.length > PAGE_SIZE || keys.length < Math.min(PAGE_SIZE, before.inserts)) {
      fail(`${keys.length} tasks, with ${before.inserts} settled`);
    }
    // Tasks no save touched during the call read back as settled, in list order. A task rewritten
    // meanwhile may show either version (a store reading its index and its rows in two steps may
    // order it by one and return the other), so it is left out of the order check.
    const stable = keys.filter((key) => {
      const settled = this.#settled.get(key.id);
      return settled && settled.seq <= before.seq && !this.#writing.has(key.id);
    });
    for (let i = 0; i < stable.length; i++) {
      const settled = this.#settled.get(stable[i]!.id)!;
      if (byListOrder(settled.key, stable[i]!) !== 0) fail(`${stable[i]!.id} is not as saved`);
      if (i > 0 && byListOrder(stable[i - 1]!, stable[i]!) >= 0) fail(`out of list order at ${i}`);
    }
    for (const id of ids) if (!this.#known.has(id)) fail(`${id} was never saved`);
    const last = keys.at(-1);
    const full = keys.length === PAGE_SIZE;
    for (const [id, settled] of this.#settled) {
      if (settled.seq > before.seq || ids.has(id)) continue;
      if (!full || (last && byListOrder(settled.key, last) < 0)) fail(`${id} is missing`);
    }
    if (page.totalSize >= 0) {
      if (page.totalSize < before.inserts || page.totalSize > this.#insertsStarted) {
        fail(`totalSize ${page.totalSize} outside [${before.inserts}, ${this.#insertsStarted}]`);
      }
    }
  }
}
