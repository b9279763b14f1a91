import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import {
  type AgentExecutionEvent,
  DefaultExecutionEventBus,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import type { Scope } from '../scope.js';
import { type Envelope, encodeEnvelope } from './envelopes.js';
import { taskChannel } from './keys.js';
import type { ClusterRuntime } from './runtime.js';

/**
 * The lease side of one execution: `pending` until the backend answers, `held` while renewed,
 * `degraded` when the backend could not be reached (events still flow locally and are relayed
 * best effort, but no other worker can recover the task), `lost` when another worker holds it.
 */
export type LeaseState = 'idle' | 'pending' | 'held' | 'degraded' | 'lost';

/**
 * A bus whose every published event is also handed to the relay, after local listeners saw it
 * (local consumers never wait for the network).
 */
class RelayingEventBus extends DefaultExecutionEventBus {
  readonly #relay: (event: AgentExecutionEvent) => void;
  constructor(relay: (event: AgentExecutionEvent) => void) {
    super();
    this.#relay = relay;
  }
  override publish(event: AgentExecutionEvent): void {
    super.publish(event);
    this.#relay(event);
  }
}

/**
 * A task executing on this worker: its bus, the context that created it (cancel requests from
 * other workers run with it), its lease and the ordered relay of its events to `task.<key>`.
 * One object lives as long as the SDK keeps the bus; each executor run on it (the first message
 * and each follow-up) is a new execution with a fresh id, sequence and lease token.
 */
/** One executor run on a bus. */
interface Run {
  /** The call context of the call running this execution's executor. */
  readonly caller: object | undefined;
  readonly exec: string;
  seq: number;
  lease: Exclude<LeaseState, 'idle'>;
  buffer: Envelope[];
  /**
   * Set by settle, or when the run parks (publishes input-/auth-required); while the lease answer
   * is pending, the end waits for it.
   */
  end: Envelope | undefined;
  warned: boolean;
}

/**
 * A task executing on this worker: its bus, the context that created it (cancel requests from
 * other workers run with it), its lease and the ordered relay of its events to `task.<key>`.
 * One object lives as long as the SDK keeps the bus; each executor run on it (the first message
 * and each follow-up) is a new execution with a fresh id, sequence and lease token.
 */
export class LocalExecution {
  readonly key: string;
  readonly scope: Scope;
  readonly taskId: string;
  readonly context: ServerCallContext;
  readonly bus: DefaultExecutionEventBus;
  readonly #runtime: ClusterRuntime;
  #run: Run | undefined;
  /** Callers of parked runs a newer run replaced: their executors' settle ends nothing. */
  readonly #superseded = new WeakSet<object>();
  #chain: Promise<void> = Promise.resolve();
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(
    runtime: ClusterRuntime,
    key: string,
    scope: Scope,
    taskId: string,
    context: ServerCallContext,
  ) {
    this.#runtime = runtime;
    this.key = key;
    this.scope = scope;
    this.taskId = taskId;
    this.context = context;
    this.bus = new RelayingEventBus((event) => this.#onEvent(event));
  }

  get leaseState(): LeaseState {
    return this.#run?.lease ?? 'idle';
  }

  /** The id (and lease token) of the run in progress, if any. */
  get currentExec(): string | undefined {
    return this.#run?.exec;
  }

  /** True while an executor run is in progress on this bus (between begin and settle). */
  get running(): boolean {
    return this.#run !== undefined;
  }

  /**
   * Starts an execution: new id and sequence; the lease is requested in the background. `caller`
   * is the call context the SDK runs the executor with (and later settles with).
   */
  begin(caller?: object): void {
    const current = this.#run;
    if (current && !current.end) return;
    // An answer to a parked run arrived here before that run's executor returned: a new
    // execution. The old executor's settle, when it comes, must not end this one.
    if (current?.caller && current.caller !== caller) this.#superseded.add(current.caller);
    const run: Run = {
      caller,
      exec: randomUUID(),
      seq: 0,
      lease: 'pending',
      buffer: [],
      end: undefined,
      warned: false,
    };
    this.#run = run;
    const { backend, workerId, leaseTtlMs, logger } = this.#runtime.options;
    const request = {
      key: this.key,
      scope: this.scope,
      taskId: this.taskId,
      holder: workerId,
      token: run.exec,
    };
    backend.acquireLease(request, leaseTtlMs).then(
      (result) => {
        if (result.acquired) {
          run.lease = 'held';
          this.#flush(run);
          if (run.end) this.#finish(run);
          else this.#startRenewal(run);
        } else {
          // Another live worker runs this task: relaying would interleave two executions.
          run.lease = 'lost';
          run.buffer = [];
          logger.warn('a2a-stores cluster: task lease held by another worker; not relaying', {
            key: this.key,
            holder: result.current.holder,
          });
        }
      },
      (error: unknown) => {
        run.lease = 'degraded';
        logger.warn(
          'a2a-stores cluster: coordination backend unreachable; running without a lease (no recovery coverage)',
          { key: this.key, error: errorName(error) },
        );
        this.#flush(run);
        if (run.end) this.#finish(run);
      },
    );
  }

  /**
   * Ends the current execution: `end` is published after every event, then the lease is
   * dropped. Resolves when both were attempted (failures are logged, never thrown).
   */
  settle(lastState: number | undefined): Promise<void> {
    const run = this.#run;
    if (!run) return this.#chain;
    this.#run = undefined;
    // A parked run already published its end and gave its lease up.
    if (run.end) return this.#chain;
    this.#stopRenewal();
    run.end =
      lastState === undefined
        ? { v: 1, type: 'end', exec: run.exec }
        : { v: 1, type: 'end', exec: run.exec, lastState };
    // Still waiting for the lease: the acquire handler finishes the run when it answers.
    if (run.lease !== 'pending') this.#finish(run);
    return this.#chain;
  }

  /**
   * True (once) when `caller` ran a parked run that a newer run replaced: its executor's settle
   * must leave the bus and the newer run alone.
   */
  supersededCaller(caller: object | undefined): boolean {
    if (!caller || this.#run?.caller === caller) return false;
    return this.#superseded.delete(caller);
  }

  /**
   * This worker's sweeper gave the lease back to the run `exec` (it had missed renewals): if a
   * renewal meanwhile found the lease gone and stopped relaying, resume both.
   */
  leaseRestored(exec: string): void {
    const run = this.#run;
    if (!run || run.exec !== exec || run.lease !== 'lost' || run.end) return;
    run.lease = 'held';
    this.#startRenewal(run);
  }

  /** Stops renewal without publishing (process shutdown, bus cleanup). */
  dispose(): void {
    this.#stopRenewal();
  }

  #finish(run: Run): void {
    if (run.end && (run.lease === 'held' || run.lease === 'degraded')) this.#enqueue(run, run.end);
    if (run.lease !== 'held') return;
    const { backend, workerId } = this.#runtime.options;
    this.#chain = this.#chain
      .then(() => backend.releaseLease(this.key, workerId, run.exec))
      .catch(() => {
        // The lease expires by itself; a sweeper then finds the task already settled.
      });
  }

  #onEvent(event: AgentExecutionEvent): void {
    const run = this.#run;
    // After parking, another worker may already run a follow-up under the task's lease.
    if (!run || run.end) return;
    run.seq += 1;
    const envelope: Envelope = { v: 1, type: 'event', exec: run.exec, seq: run.seq, event };
    if (run.lease === 'pending') run.buffer.push(envelope);
    else if (run.lease === 'held' || run.lease === 'degraded') this.#enqueue(run, envelope);
    const parkedIn = waitingState(event);
    if (parkedIn !== undefined) this.#park(run, parkedIn);
  }

  /**
   * The run waits for the user: the SDK answers the client now, before the executor returns, so
   * the answer to it may arrive on any worker at once. Ending the run's relay and giving its
   * lease up here (not when the executor returns) lets that worker take the lease.
   */
  #park(run: Run, state: number): void {
    this.#stopRenewal();
    run.end = { v: 1, type: 'end', exec: run.exec, lastState: state };
    if (run.lease !== 'pending') this.#finish(run);
  }

  #flush(run: Run): void {
    const buffered = run.buffer;
    run.buffer = [];
    for (const envelope of buffered) this.#enqueue(run, envelope);
  }

  /** Chains publishes so one execution's envelopes leave in sequence order. */
  #enqueue(run: Run, envelope: Envelope): void {
    const { backend, logger } = this.#runtime.options;
    let message: string;
    try {
      message = encodeEnvelope(envelope);
    } catch (error) {
      logger.warn('a2a-stores cluster: event could not be encoded; not relayed', {
        key: this.key,
        error: errorName(error),
      });
      return;
    }
    const stats = this.#runtime.stats;
    this.#chain = this.#chain
      .then(() => backend.publish(taskChannel(this.key), message))
      .then(
        () => {
          if (envelope.type === 'event') stats.eventsRelayed += 1;
        },
        (error: unknown) => {
          stats.publishFailures += 1;
          if (!run.warned) {
            run.warned = true;
            logger.warn(
              'a2a-stores cluster: relaying task events failed; subscribers elsewhere miss them',
              { key: this.key, error: errorName(error) },
            );
          }
        },
      );
  }

  #startRenewal(run: Run): void {
    const { backend, workerId, leaseTtlMs, renewIntervalMs, logger } = this.#runtime.options;
    this.#stopRenewal();
    this.#renewTimer = setInterval(() => {
      backend.renewLease(this.key, workerId, run.exec, leaseTtlMs).then(
        (renewed) => {
          if (renewed || run.lease !== 'held' || this.#run !== run) return;
          // Our lease expired and was claimed (we were too slow): the recovering worker owns the
          // task now, so our events must not reach its subscribers.
          run.lease = 'lost';
          this.#stopRenewal();
          this.#runtime.count('leaseRenewalsLost');
          logger.warn(
            'a2a-stores cluster: task lease taken over by another worker; stopped relaying',
            { key: this.key },
          );
        },
        (error: unknown) => {
          logger.warn('a2a-stores cluster: lease renewal failed; retrying', {
            key: this.key,
            error: errorName(error),
          });
        },
      );
    }, renewIntervalMs);
    this.#renewTimer.unref();
  }

  #stopRenewal(): void {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }
}

/** The state of a status update that makes the task wait for the user, if it is one. */
function waitingState(event: AgentExecutionEvent): number | undefined {
  let state: number | undefined;
  if (event.kind === 'statusUpdate' || event.kind === 'task') state = event.data.status?.state;
  return state === TaskState.TASK_STATE_INPUT_REQUIRED ||
    state === TaskState.TASK_STATE_AUTH_REQUIRED
    ? state
    : undefined;
}

export function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'Error';
}
