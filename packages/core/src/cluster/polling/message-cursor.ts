/**
 * Where a poller stands in a message table whose ids may become visible out of order.
 *
 * MySQL's AUTO_INCREMENT hands out ids when an INSERT starts, not when it commits: a row with a
 * lower id can commit after a row with a higher one, and a plain "id > last seen" cursor would
 * skip it forever. This cursor re-reads from the highest id below which nothing can still
 * appear (`position`), remembers the ids it already handled above it, and moves `position`
 * past a hole only once the hole is older than `gapWaitMs` (the insert that held it rolled back,
 * or the server skips ids). An insert taking longer than `gapWaitMs` to commit is the one case
 * left: its message is not delivered. On SQLite ids are assigned under the write lock, holes
 * never fill, and the cursor costs nothing more than a plain one.
 */
export class MessageCursor {
  #position: number;
  /** Ids above `position` already handled. */
  readonly #handled = new Set<number>();
  /** (highest id handled, when it was first seen): `position` may jump to it after the wait. */
  readonly #checkpoints: { readonly id: number; readonly at: number }[] = [];
  #highest: number;
  readonly #gapWaitMs: number;

  constructor(start: number, gapWaitMs: number) {
    this.#position = start;
    this.#highest = start;
    this.#gapWaitMs = gapWaitMs;
  }

  /** Every id at or below it has been handled or will never be delivered: read above it. */
  get position(): number {
    return this.#position;
  }

  /** How many ids above `position` are remembered (bounded by what arrives in `gapWaitMs`). */
  get pending(): number {
    return this.#handled.size;
  }

  /** Marks `id` handled; false when it was handled before (a re-read of the tail). */
  accept(id: number): boolean {
    if (id <= this.#position || this.#handled.has(id)) return false;
    this.#handled.add(id);
    if (id > this.#highest) this.#highest = id;
    return true;
  }

  /** Moves `position` as far as the ids handled so far and the holes' age allow. */
  settle(now: number): void {
    this.#advanceContiguous();
    const last = this.#checkpoints.at(-1);
    if (this.#highest > this.#position && (last === undefined || last.id < this.#highest)) {
      this.#checkpoints.push({ id: this.#highest, at: now });
    }
    while (this.#checkpoints.length > 0) {
      const oldest = this.#checkpoints[0] as { id: number; at: number };
      if (oldest.id > this.#position && now - oldest.at < this.#gapWaitMs) break;
      this.#checkpoints.shift();
      if (oldest.id > this.#position) this.#jumpTo(oldest.id);
    }
    this.#advanceContiguous();
  }

  #advanceContiguous(): void {
    while (this.#handled.delete(this.#position + 1)) this.#position += 1;
  }

  #jumpTo(id: number): void {
    this.#position = id;
    for (const handled of this.#handled) if (handled <= id) this.#handled.delete(handled);
  }
}
