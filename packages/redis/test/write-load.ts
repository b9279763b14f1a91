import { setTimeout as delay } from 'node:timers/promises';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { StoreUnavailableError } from '@a2a-stores/core';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import type { RedisStoreBundle } from '../src/index.js';

/** One acknowledged write: the task saved and the context (scope) it was saved in. */
export interface AckedWrite {
  readonly taskId: string;
  readonly ctx: ServerCallContext;
}

/** What a failover test reports. */
export interface LoadFigures {
  acknowledged: number;
  found: number;
  lost: number;
  errors: number;
  /** Errors that were not StoreUnavailableError (must be 0). */
  untypedErrors: unknown[];
  /** Longest time a failing call took to settle, ms. */
  slowestFailureMs: number;
  /** From the fault to the first write acknowledged after it, s. */
  secondsToRecover: number | undefined;
}

/**
 * Concurrent writers saving new tasks through one store object until stopped: each acknowledged
 * save is recorded with its scope, each failure classified. `markFault()` notes when the test
 * injected its fault, so the first acknowledgement of a write started after it gives the
 * recovery time.
 */
export class WriteLoad {
  readonly acked: AckedWrite[] = [];
  readonly untypedErrors: unknown[] = [];
  errors = 0;
  slowestFailureMs = 0;
  private faultAt: number | undefined;
  private recoveredAt: number | undefined;
  private ackedSinceFault = 0;
  private stopped = false;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly stores: RedisStoreBundle,
    contexts: readonly ServerCallContext[],
    concurrency: number,
  ) {
    this.workers = Array.from({ length: concurrency }, (_, i) =>
      this.worker(contexts[i % contexts.length]!),
    );
  }

  private async worker(ctx: ServerCallContext): Promise<void> {
    while (!this.stopped) {
      const task = makeTask();
      const startedAt = Date.now();
      try {
        await this.stores.taskStore.save(task, ctx);
        this.acked.push({ taskId: task.id, ctx });
        if (this.faultAt !== undefined && startedAt >= this.faultAt) {
          this.ackedSinceFault++;
          this.recoveredAt ??= Date.now();
        }
      } catch (error) {
        this.errors++;
        this.slowestFailureMs = Math.max(this.slowestFailureMs, Date.now() - startedAt);
        if (!(error instanceof StoreUnavailableError)) this.untypedErrors.push(error);
        // A failing call returns at once; yield so a dead server is not spun on.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  markFault(): void {
    this.faultAt = Date.now();
    this.ackedSinceFault = 0;
    this.recoveredAt = undefined;
  }

  /** Writes acknowledged that were started after the last {@link markFault}. */
  get acknowledgedSinceFault(): number {
    return this.ackedSinceFault;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }

  /** Loads every acknowledged task back through `reader`; the figures of the run. */
  async verify(reader: RedisStoreBundle): Promise<LoadFigures> {
    let found = 0;
    for (const { taskId, ctx } of this.acked) {
      if ((await loadAnswered(reader, taskId, ctx))?.id === taskId) found++;
    }
    return {
      acknowledged: this.acked.length,
      found,
      lost: this.acked.length - found,
      errors: this.errors,
      untypedErrors: this.untypedErrors,
      slowestFailureMs: this.slowestFailureMs,
      secondsToRecover:
        this.recoveredAt !== undefined && this.faultAt !== undefined
          ? (this.recoveredAt - this.faultAt) / 1000
          : undefined,
    };
  }
}

/** Call contexts of `count` fresh random scopes. */
export function randomContexts(count: number): ServerCallContext[] {
  return Array.from({ length: count }, () => callContext(randomScope()));
}

const VERIFY_RETRY_MS = 20_000;

/**
 * A read the server answered. Sentinel and Cluster clients may reconnect once more after the
 * load (a replica re-pointed, a topology refresh): a typed unavailable error then says nothing
 * about the write, so the read is retried for a bounded time; any other error fails the run.
 */
async function loadAnswered(
  reader: RedisStoreBundle,
  taskId: string,
  ctx: ServerCallContext,
): Promise<Awaited<ReturnType<RedisStoreBundle['taskStore']['load']>>> {
  const deadline = Date.now() + VERIFY_RETRY_MS;
  for (;;) {
    try {
      return await reader.taskStore.load(taskId, ctx);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() > deadline) throw error;
      await delay(100);
    }
  }
}
