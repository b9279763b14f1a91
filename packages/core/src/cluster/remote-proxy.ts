import { DefaultExecutionEventBus } from '@a2a-js/sdk/server';
import type { Unsubscribe } from './coordination-backend.js';
import { decodeEnvelope } from './envelopes.js';
import { taskChannel } from './keys.js';
import { errorName } from './local-execution.js';
import type { ClusterRuntime } from './runtime.js';

/**
 * A bus on this worker that replays another worker's execution of one task to local
 * subscribers (the SDK's `resubscribe` reads it through `getByTaskId`). It delivers events in
 * sequence order per execution, drops repeats, and finishes (so every subscriber's stream ends)
 * on the first of: an `end` envelope, the lease found gone (or expired and unclaimed) by the
 * watchdog, the channel going down, or `close`. Events of a new execution without an `end` for
 * the previous one (a recovering worker's outcome) are followed. Never reused once
 * finished: a subscriber arriving later gets a new proxy.
 */
export class RemoteTaskProxy {
  readonly key: string;
  readonly bus = new DefaultExecutionEventBus();
  readonly #runtime: ClusterRuntime;
  #refs = 0;
  #exec: string | undefined;
  #lastSeq = 0;
  readonly #seenExecs = new Set<string>();
  #suspectSince: number | undefined;
  #finished = false;
  #unsubscribe: Unsubscribe | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #onDone: () => void;

  constructor(runtime: ClusterRuntime, key: string, onDone: () => void) {
    this.#runtime = runtime;
    this.key = key;
    this.#onDone = onDone;
  }

  get finished(): boolean {
    return this.#finished;
  }

  #opening: Promise<void> | undefined;

  /** Subscribes to the task channel once; resolves when delivery is active. */
  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    this.#unsubscribe = await this.#runtime.options.backend.subscribe(
      taskChannel(this.key),
      (message) => this.#onMessage(message),
    );
    if (this.#finished) {
      this.#dropSubscription();
      return;
    }
    this.#watchdog = setInterval(() => this.#checkLease(), this.#runtime.options.renewIntervalMs);
    this.#watchdog.unref();
  }

  /** Counts one subscriber; the proxy is torn down when the last one {@link release}s it. */
  retain(): void {
    this.#refs += 1;
  }

  release(): void {
    this.#refs -= 1;
    if (this.#refs <= 0) this.finish();
  }

  /** Ends every subscriber's stream and stops listening. Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.bus.finished();
    this.#dropSubscription();
    this.#onDone();
  }

  /**
   * Checks the lease now (the watchdog calls it every renew interval). A lease gone for a renew
   * interval means nobody runs the task. An expired one is given time for a sweeper to claim
   * it and publish the outcome (two sweep intervals), so subscribers see how the task ended;
   * after that the subscriber is released anyway: it never waits on a task nobody runs.
   */
  async checkLease(): Promise<void> {
    let live: boolean;
    let absent: boolean;
    try {
      const lease = await this.#runtime.options.backend.readLease(this.key);
      live = lease?.live === true;
      absent = lease === undefined;
    } catch {
      // Unreachable backend: the channel-state listener (or a later check) decides.
      return;
    }
    if (live) {
      this.#suspectSince = undefined;
      return;
    }
    const now = Date.now();
    this.#suspectSince ??= now;
    const { renewIntervalMs, sweepIntervalMs } = this.#runtime.options;
    const grace = absent ? renewIntervalMs : 2 * sweepIntervalMs + renewIntervalMs;
    if (now - this.#suspectSince >= grace) this.finish();
  }

  #checkLease(): void {
    void this.checkLease();
  }

  #dropSubscription(): void {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.().catch((error: unknown) => {
      this.#runtime.options.logger.warn('a2a-stores cluster: unsubscribe failed', {
        error: errorName(error),
      });
    });
  }

  #onMessage(message: string): void {
    if (this.#finished) return;
    const envelope = decodeEnvelope(message);
    const stats = this.#runtime.stats;
    if (!envelope || (envelope.type !== 'event' && envelope.type !== 'end')) {
      stats.malformedDropped += 1;
      this.#runtime.options.logger.warn('a2a-stores cluster: malformed task envelope dropped', {
        key: this.key,
      });
      return;
    }
    if (envelope.type === 'end') {
      // The late end of an execution already superseded (its run parked, a follow-up runs now
      // elsewhere) must not end the stream of the one that followed it.
      if (envelope.exec !== this.#exec && this.#seenExecs.has(envelope.exec)) return;
      this.finish();
      return;
    }
    if (envelope.exec !== this.#exec) {
      if (this.#seenExecs.has(envelope.exec)) {
        // A late event of an execution already superseded (a half-alive worker).
        stats.duplicatesDropped += 1;
        return;
      }
      // A new execution without an end for the previous one: a recovering worker publishing
      // the outcome of a task whose worker died. Subscribers follow it.
      this.#seenExecs.add(envelope.exec);
      this.#exec = envelope.exec;
      this.#lastSeq = 0;
    }
    if (envelope.seq <= this.#lastSeq) {
      stats.duplicatesDropped += 1;
      return;
    }
    this.#exec = envelope.exec;
    this.#lastSeq = envelope.seq;
    stats.eventsDelivered += 1;
    this.bus.publish(envelope.event);
  }
}
