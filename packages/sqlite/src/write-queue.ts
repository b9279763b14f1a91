/**
 * Runs synchronous write operations in call order, each in its own event-loop turn
 * (`setImmediate`), never inline in the caller's turn.
 *
 * Why: better-sqlite3 blocks the event loop for a whole write, fsync of a `synchronous=FULL`
 * commit included. Run inline, every write started in the same microtask round as a read (the
 * other clients' continuations) executes before that read's caller resumes, so with many
 * concurrent clients a read's latency is the sum of their commits. Deferred to their own turns,
 * writes run after the pending microtasks, so a read started now (reads stay inline) is answered
 * without waiting for any write; and since one write runs per turn, a read arriving on I/O waits
 * behind one commit at most, not behind all queued ones.
 *
 * A write's promise settles only after its transaction committed (or failed), so a read issued
 * after an acknowledged write sees it; writes keep their call order, as inline writes did.
 */
export class WriteQueue {
  readonly #pending: Array<() => void> = [];
  readonly #idleWaiters: Array<() => void> = [];
  #scheduled = false;

  /** `operation`'s result once it has run, after every write enqueued before it. */
  enqueue<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push(() => {
        try {
          resolve(operation());
        } catch (error) {
          reject(error);
        }
      });
      this.#schedule();
    });
  }

  /** Resolves once every write enqueued so far has run (at once when none is pending). */
  drained(): Promise<void> {
    if (!this.#scheduled) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#runNext);
  }

  readonly #runNext = (): void => {
    this.#scheduled = false;
    // Never throws: each job settles its own promise.
    this.#pending.shift()?.();
    if (this.#pending.length > 0) {
      this.#schedule();
      return;
    }
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  };
}
