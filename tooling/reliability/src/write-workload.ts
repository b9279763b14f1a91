import type { ServerCallContext } from '@a2a-js/sdk/server';
import { VersionConflictError } from '@a2a-stores/core';
import type { Ack, LedgerStores } from './ack-ledger.js';
import { loadPushConfig, loadTask } from './fixtures.js';

/** Tasks each writer keeps rewriting, so updates (not only inserts) are acknowledged. */
const HOT_TASKS_PER_WRITER = 3;

/** Options of {@link runWriter}. */
export interface WriterOptions {
  readonly stores: LedgerStores;
  readonly context: ServerCallContext;
  /** Unique per writer and run (e.g. `r3-w1`): prefixes every id the writer creates. */
  readonly name: string;
  /** Counter tasks shared by every writer, created beforehand by {@link createCounters}. */
  readonly counterIds: readonly string[];
  /** Called once a write's promise resolved; never for a write that failed. */
  readonly onAck: (ack: Ack) => void;
  /** Checked before each write; the writer returns once it is false. */
  readonly running: () => boolean;
  /**
   * Receives a failed write's error; the writer goes on once it resolves (e.g. when the server
   * is back). Throwing stops the writer with that error.
   */
  readonly onFailure: (error: unknown) => Promise<void>;
}

/** What one writer did. */
export interface WriterStats {
  attempted: number;
  acknowledged: number;
  failed: number;
  /** `saveIfVersion` calls that lost to another writer (expected, retried with a fresh read). */
  casConflicts: number;
}

/** Creates the shared counter tasks (`counter` 0 at version 1). */
export async function createCounters(
  stores: LedgerStores,
  context: ServerCallContext,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) {
    await stores.taskStore.saveIfVersion(loadTask(id, { counter: 0 }), context, null);
  }
}

/**
 * A mixed write load, one write at a time, cycling through: insert a task, update one of the
 * writer's hot tasks (`metadata.n` counts up), compare-and-set increment a shared counter, save a
 * push config on the last inserted task. Every resolved write is reported to `onAck`.
 */
export async function runWriter(options: WriterOptions): Promise<WriterStats> {
  const { stores, context, name, onAck } = options;
  const stats: WriterStats = { attempted: 0, acknowledged: 0, failed: 0, casConflicts: 0 };
  const hotN = new Array<number>(HOT_TASKS_PER_WRITER).fill(0);
  let lastInserted: string | undefined;

  const ack = (value: Ack) => {
    stats.acknowledged++;
    onAck(value);
  };

  for (let step = 0; options.running(); step++) {
    stats.attempted++;
    try {
      switch (step % 4) {
        case 0: {
          const taskId = `${name}-t${step}`;
          await stores.taskStore.save(loadTask(taskId, { n: 1 }), context);
          lastInserted = taskId;
          ack({ kind: 'task', taskId, n: 1 });
          break;
        }
        case 1: {
          const slot = (step >> 2) % HOT_TASKS_PER_WRITER;
          const taskId = `${name}-hot${slot}`;
          const n = ++hotN[slot]!;
          await stores.taskStore.save(loadTask(taskId, { n }), context);
          ack({ kind: 'task', taskId, n });
          break;
        }
        case 2: {
          const taskId = options.counterIds[step % options.counterIds.length]!;
          const current = await stores.taskStore.loadVersioned(taskId, context);
          if (!current) throw new Error(`counter task ${taskId} is missing`);
          const counter = Number(current.task.metadata?.counter) + 1;
          const next = { ...current.task, metadata: { counter } };
          try {
            const version = await stores.taskStore.saveIfVersion(next, context, current.version);
            ack({ kind: 'cas', taskId, version, counter });
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
            stats.casConflicts++;
          }
          break;
        }
        default: {
          if (!lastInserted) break;
          const configId = `${name}-p${step}`;
          await stores.pushNotificationStore.save(
            lastInserted,
            context,
            loadPushConfig(lastInserted, configId),
          );
          ack({ kind: 'push', taskId: lastInserted, configId });
        }
      }
    } catch (error) {
      stats.failed++;
      await options.onFailure(error);
    }
  }
  return stats;
}
