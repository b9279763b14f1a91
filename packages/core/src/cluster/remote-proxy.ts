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
 * on the first of: an `end` envelope, an event of a different execution, the lease found
 * expired or gone by the watchdog, the channel going down, or `close`. Never reused once
 * finished: a subscriber arriving later gets a new proxy.
 */
export class RemoteTaskProxy {
  readonly key: string;
  readonly bus = new DefaultExecutionEventBus();
  readonly #runtime: ClusterRuntime;
  #refs = 0;
  #exec: string | undefined;
  #lastSeq = 0;
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

  /** Checks the lease right away (after subscribing, to close the race with an ending run). */
  async checkLease(): Promise<void> {
    try {
      const lease = await this.#runtime.options.backend.readLease(this.key);
      if (!lease?.live) this.finish();
    } catch {
      // Unreachable backend: the channel-state listener (or the next check) decides.
    }
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
      this.finish();
      return;
    }
    if (this.#exec !== undefined && envelope.exec !== this.#exec) {
      // Another execution started (recovery resumed it, or a follow-up elsewhere): the one this
      // subscriber joined is over, and the store snapshot is where the new one is read from.
      this.finish();
      return;
    }
    if (this.#exec !== undefined && envelope.seq <= this.#lastSeq) {
      stats.duplicatesDropped += 1;
      return;
    }
    this.#exec = envelope.exec;
    this.#lastSeq = envelope.seq;
    stats.eventsDelivered += 1;
    this.bus.publish(envelope.event);
  }
}
