import { randomUUID } from 'node:crypto';
import { type Message, Role, type Task, TaskState, type TaskStatusUpdateEvent } from '@a2a-js/sdk';
import type { PushNotificationSender, ServerCallContext } from '@a2a-js/sdk/server';
import type { ScopedTaskStore } from '../contracts.js';
import { StaleWriteError, VersionConflictError } from '../errors.js';
import { resolveScope } from '../scope.js';
import type { LeaseRecord } from './coordination-backend.js';
import { encodeEnvelope } from './envelopes.js';
import type { ClusterEventBusManager } from './event-bus-manager.js';
import { leaseKey, taskChannel } from './keys.js';
import { errorName } from './local-execution.js';
import type { ClusterRuntime } from './runtime.js';

/** The status message of a task failed by recovery; says what happened, nothing about content. */
export const ORPHAN_FAILURE_TEXT =
  'The worker running this task stopped responding; the task was marked failed by another worker. Send the request again to retry.';

const NEEDS_EXECUTOR: ReadonlySet<number> = new Set([
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_WORKING,
]);

type Outcome = 'failed' | 'resumed' | 'left' | 'released';

function isVersioned(
  store: unknown,
): store is Pick<ScopedTaskStore, 'loadVersioned' | 'saveIfVersion'> {
  const candidate = store as Partial<ScopedTaskStore>;
  return (
    typeof candidate.loadVersioned === 'function' && typeof candidate.saveIfVersion === 'function'
  );
}

function failureStatus(task: Task): Task['status'] {
  const message: Message = {
    role: Role.ROLE_AGENT,
    messageId: randomUUID(),
    taskId: task.id,
    contextId: task.contextId,
    parts: [
      {
        content: { $case: 'text', value: ORPHAN_FAILURE_TEXT },
        mediaType: 'text/plain',
        filename: '',
        metadata: {},
      },
    ],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  };
  return { state: TaskState.TASK_STATE_FAILED, message, timestamp: new Date().toISOString() };
}

/**
 * The orphan sweeper of one worker: claims expired leases (each is claimed by exactly one
 * worker), and applies the recovery policy to tasks still submitted or working. Every outcome
 * ends the subscribers of the dead execution (an `end` on the task channel) and drops the lease.
 */
export class RecoverySweeper {
  readonly #runtime: ClusterRuntime;
  readonly #pushSender: () => PushNotificationSender | undefined;
  readonly #manager: ClusterEventBusManager;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;

  constructor(
    runtime: ClusterRuntime,
    manager: ClusterEventBusManager,
    pushSender: () => PushNotificationSender | undefined,
  ) {
    this.#runtime = runtime;
    this.#manager = manager;
    this.#pushSender = pushSender;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.sweep().catch(() => {
        // sweep() logs its own failures.
      });
    }, this.#runtime.options.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }

  /** One sweep (overlapping calls share it); resolves with the number of leases handled. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweepOnce().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<number> {
    const { backend, workerId, leaseTtlMs, sweepBatch, logger } = this.#runtime.options;
    const token = randomUUID();
    let claimed: readonly LeaseRecord[];
    try {
      claimed = await backend.claimExpiredLeases(workerId, token, leaseTtlMs, sweepBatch);
    } catch (error) {
      logger.warn('a2a-stores cluster: orphan sweep failed; retrying next interval', {
        error: errorName(error),
      });
      return 0;
    }
    for (const lease of claimed) {
      try {
        const outcome = await this.#recover(lease, token);
        if (outcome) {
          this.#runtime.stats.recovered[outcome] += 1;
          // `released` gave the lease back to this worker's own live run: no orphan was recovered.
          if (outcome !== 'released') {
            this.#runtime.count('clusterRecoveries', {
              'a2a_stores.cluster.recovery.outcome': outcome,
            });
          }
        }
      } catch (error) {
        logger.warn('a2a-stores cluster: recovering an orphaned task failed', {
          key: lease.key,
          error: errorName(error),
        });
      }
    }
    return claimed.length;
  }

  async #recover(lease: LeaseRecord, token: string): Promise<Outcome | undefined> {
    const { contextForScope, scopeResolver, taskStore, recovery, logger } = this.#runtime.options;
    const execution = this.#manager.running(lease.key);
    const local = execution?.currentExec;
    if (
      local !== undefined &&
      lease.holder === this.#runtime.options.workerId &&
      lease.token === local
    ) {
      // Our own execution missed its renewals (an event-loop stall) and is still running: hand
      // the lease back to it instead of failing live work.
      const { backend, workerId, leaseTtlMs } = this.#runtime.options;
      await backend.acquireLease(
        {
          key: lease.key,
          scope: lease.scope,
          taskId: lease.taskId,
          holder: workerId,
          token: local,
        },
        leaseTtlMs,
      );
      execution?.leaseRestored(local);
      return undefined;
    }
    const context = contextForScope(lease.scope);
    let scope: ReturnType<typeof resolveScope>;
    try {
      scope = resolveScope(scopeResolver, context);
    } catch {
      scope = { tenant: '\u0000', owner: '\u0000' };
    }
    if (
      scope.tenant !== lease.scope.tenant ||
      scope.owner !== lease.scope.owner ||
      leaseKey(scope, lease.taskId) !== lease.key
    ) {
      // Never act in the wrong scope: leave the task (the claimed lease expires again).
      logger.warn(
        'a2a-stores cluster: contextForScope does not map back to the lease scope; task left alone',
        { key: lease.key },
      );
      return undefined;
    }
    const task = await taskStore.load(lease.taskId, context);
    const state = task?.status?.state;
    if (!task || state === undefined || !NEEDS_EXECUTOR.has(state)) {
      await this.#end(lease, token, state);
      return 'released';
    }
    if (recovery === 'leave') {
      await this.#end(lease, token, state);
      return 'left';
    }
    if (recovery !== 'fail') {
      // Subscribers of the dead execution end first; the resumed one is a new execution.
      await this.#publish(
        lease.key,
        encodeEnvelope({ v: 1, type: 'end', exec: token, lastState: state }),
      );
      try {
        await recovery.resume(task, context);
        await this.#release(lease, token);
        return 'resumed';
      } catch (error) {
        logger.warn('a2a-stores cluster: resume callback failed; failing the task', {
          key: lease.key,
          error: errorName(error),
        });
      }
    }
    const failed = await this.#fail(lease, context);
    if (failed) {
      const event: TaskStatusUpdateEvent = {
        taskId: failed.id,
        contextId: failed.contextId,
        status: failed.status,
        metadata: {},
      };
      await this.#publish(
        lease.key,
        encodeEnvelope({
          v: 1,
          type: 'event',
          exec: token,
          seq: 1,
          event: { kind: 'statusUpdate', data: event },
        }),
      );
      this.#pushSender()
        ?.send({ payload: { $case: 'statusUpdate', value: event } }, context, failed)
        .catch((error: unknown) => {
          logger.warn('a2a-stores cluster: push of a recovered task failed', {
            key: lease.key,
            error: errorName(error),
          });
        });
    }
    await this.#end(lease, token, failed ? TaskState.TASK_STATE_FAILED : undefined);
    return failed ? 'failed' : 'released';
  }

  /**
   * Saves the task FAILED. With a versioned store the write is a compare-and-set, so a late
   * write of a half-alive worker and this one cannot both win; undefined when the task left
   * submitted/working meanwhile.
   */
  async #fail(lease: LeaseRecord, context: ServerCallContext): Promise<Task | undefined> {
    const { taskStore } = this.#runtime.options;
    if (!isVersioned(taskStore)) {
      const task = await taskStore.load(lease.taskId, context);
      if (!task || !NEEDS_EXECUTOR.has(task.status?.state ?? -1)) return undefined;
      const failed = this.#failedCopy(task);
      await taskStore.save(failed, context);
      return failed;
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await taskStore.loadVersioned(lease.taskId, context);
      if (!current || !NEEDS_EXECUTOR.has(current.task.status?.state ?? -1)) return undefined;
      const failed = this.#failedCopy(current.task);
      try {
        await taskStore.saveIfVersion(failed, context, current.version);
        return failed;
      } catch (error) {
        if (error instanceof VersionConflictError || error instanceof StaleWriteError) continue;
        throw error;
      }
    }
    return undefined;
  }

  #failedCopy(task: Task): Task {
    const status = failureStatus(task);
    const history = [...(task.history ?? [])];
    if (status?.message) history.push(status.message);
    return { ...task, status, history };
  }

  async #end(lease: LeaseRecord, token: string, lastState: number | undefined): Promise<void> {
    await this.#publish(
      lease.key,
      encodeEnvelope(
        lastState === undefined
          ? { v: 1, type: 'end', exec: token }
          : { v: 1, type: 'end', exec: token, lastState },
      ),
    );
    await this.#release(lease, token);
  }

  async #publish(key: string, message: string): Promise<void> {
    try {
      await this.#runtime.options.backend.publish(taskChannel(key), message);
    } catch (error) {
      this.#runtime.stats.publishFailures += 1;
      this.#runtime.options.logger.warn('a2a-stores cluster: recovery outcome not published', {
        key,
        error: errorName(error),
      });
    }
  }

  async #release(lease: LeaseRecord, token: string): Promise<void> {
    const { backend, workerId } = this.#runtime.options;
    await backend.releaseLease(lease.key, workerId, token).catch(() => undefined);
  }
}
