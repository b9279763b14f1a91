import { randomUUID } from 'node:crypto';
import type { Unsubscribe } from './coordination-backend.js';
import {
  type CancelEnvelope,
  type CancelResultEnvelope,
  decodeEnvelope,
  encodeEnvelope,
} from './envelopes.js';
import type { ClusterEventBusManager } from './event-bus-manager.js';
import { workerChannel } from './keys.js';
import { errorName, type LocalExecution } from './local-execution.js';
import type { ClusterRuntime } from './runtime.js';

/** Runs the SDK's local cancel for an execution of this worker (set by `cluster.wrap`). */
export type LocalCanceler = (execution: LocalExecution) => Promise<void>;

/** The outcome of a routed cancel: the holder's answer, or `'timeout'`. */
export type RoutedCancelOutcome = CancelResultEnvelope | 'timeout';

/**
 * Cancel across workers over `worker.<id>` channels: one subscription per worker, made at
 * start, receives cancel requests for this worker's executions and the answers to the requests
 * this worker sent.
 */
export class CancelRouter {
  readonly #runtime: ClusterRuntime;
  readonly #manager: ClusterEventBusManager;
  readonly #pending = new Map<string, (outcome: RoutedCancelOutcome) => void>();
  #canceler: LocalCanceler | undefined;
  #unsubscribe: Unsubscribe | undefined;

  constructor(runtime: ClusterRuntime, manager: ClusterEventBusManager) {
    this.#runtime = runtime;
    this.#manager = manager;
  }

  setCanceler(canceler: LocalCanceler): void {
    this.#canceler = canceler;
  }

  async start(): Promise<void> {
    const { backend, workerId } = this.#runtime.options;
    this.#unsubscribe = await backend.subscribe(workerChannel(workerId), (message) =>
      this.#onMessage(message),
    );
  }

  async close(): Promise<void> {
    for (const resolve of this.#pending.values()) resolve('timeout');
    this.#pending.clear();
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.();
  }

  /**
   * Asks `holder` to cancel its execution of `key`; resolves with its answer or `'timeout'`.
   * Waits `firstWaitMs`, then as long as `moreWaitMs()` says (0: give up), so a caller can
   * stop early when the holder is found dead without sending the request twice.
   */
  async request(
    holder: string,
    key: string,
    firstWaitMs: number,
    moreWaitMs: () => Promise<number>,
  ): Promise<RoutedCancelOutcome> {
    const { backend, workerId } = this.#runtime.options;
    const requestId = randomUUID();
    let resolveAnswer: ((outcome: RoutedCancelOutcome) => void) | undefined;
    const answered = new Promise<RoutedCancelOutcome>((resolve) => {
      resolveAnswer = resolve;
      this.#pending.set(requestId, resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const envelope: CancelEnvelope = { v: 1, type: 'cancel', requestId, key, replyTo: workerId };
      await backend.publish(workerChannel(holder), encodeEnvelope(envelope));
      this.#runtime.stats.cancelsRouted += 1;
      for (let waitMs = firstWaitMs; waitMs > 0; ) {
        const outcome = await Promise.race([
          answered,
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), waitMs);
          }),
        ]);
        clearTimeout(timer);
        if (outcome !== 'timeout') return outcome;
        waitMs = await moreWaitMs();
      }
      resolveAnswer?.('timeout');
      return 'timeout';
    } finally {
      clearTimeout(timer);
      this.#pending.delete(requestId);
    }
  }

  #onMessage(message: string): void {
    const envelope = decodeEnvelope(message);
    if (envelope?.type === 'cancel-result') {
      this.#pending.get(envelope.requestId)?.(envelope);
      return;
    }
    if (envelope?.type === 'cancel') {
      void this.#serve(envelope);
      return;
    }
    this.#runtime.stats.malformedDropped += 1;
    this.#runtime.options.logger.warn('a2a-stores cluster: malformed worker envelope dropped');
  }

  async #serve(request: CancelEnvelope): Promise<void> {
    let reply: CancelResultEnvelope;
    const execution = this.#manager.running(request.key);
    if (!execution || !this.#canceler) {
      reply = {
        v: 1,
        type: 'cancel-result',
        requestId: request.requestId,
        ok: false,
        error: 'no-execution',
      };
    } else {
      try {
        this.#runtime.stats.cancelsServed += 1;
        await this.#canceler(execution);
        reply = { v: 1, type: 'cancel-result', requestId: request.requestId, ok: true };
      } catch (error) {
        reply = {
          v: 1,
          type: 'cancel-result',
          requestId: request.requestId,
          ok: false,
          error: errorName(error),
        };
      }
    }
    try {
      await this.#runtime.options.backend.publish(
        workerChannel(request.replyTo),
        encodeEnvelope(reply),
      );
    } catch (error) {
      this.#runtime.options.logger.warn('a2a-stores cluster: cancel answer not delivered', {
        error: errorName(error),
      });
    }
  }
}
