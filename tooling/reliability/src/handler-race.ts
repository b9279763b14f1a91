import { setTimeout as delay, setImmediate as yieldToLoop } from 'node:timers/promises';
import { AgentCard, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { DefaultRequestHandler, type TaskStore } from '@a2a-js/sdk/server';
import { isTerminalState } from '@a2a-stores/core';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { sendRequest, userMessage, waitFor } from '@a2a-stores/test-backends';
import { settleWithin } from './bounded.js';
import { RaceExecutor } from './race-executor.js';
import type { Random } from './random.js';

/** Bound on each racing call: only a hung call exceeds it. */
const CALL_LIMIT_MS = 30_000;
const STEPS = 4;
const MAX_PAUSE_MS = 4;

/** Options of {@link runHandlerRaces}. */
export interface HandlerRaceOptions {
  /** The store under test (ours, or the SDK's `InMemoryTaskStore` as a reference). */
  readonly taskStore: TaskStore;
  readonly rounds: number;
  readonly random: Random;
  /** Stale writes the store dropped so far (its `onStaleWrite` hook count). */
  readonly staleWritesDropped: () => number;
}

/**
 * What the rounds saw. `roundsWithRegression`, `finalNotTerminal`, `cancelReplyMismatches`,
 * `hung` and `unexpectedErrors` must stay 0 for our stores.
 */
export interface HandlerRaceFigures {
  seed: number;
  rounds: number;
  finalCanceled: number;
  finalCompleted: number;
  finalNotTerminal: number;
  /** Rounds where a terminal state was read from the store, then a different state later. */
  roundsWithRegression: number;
  /** Store reads made by the watcher during the rounds. */
  observations: number;
  cancelAccepted: number;
  /** Cancel refused with TaskNotCancelableError (the task had completed first). */
  cancelRefused: number;
  /** A cancel reply or refusal that disagrees with the final stored state. */
  cancelReplyMismatches: number;
  followUpsAccepted: number;
  /** Follow-ups refused because the task was already terminal (UnsupportedOperationError). */
  followUpsRefused: number;
  /**
   * Follow-ups that joined a run after its last event: the SDK answers "Agent execution finished
   * without a result" (an `A2AError`). A handler-level outcome of the race, not a store fault.
   */
  followUpsWithoutResult: number;
  /** Stale saves the store's guard dropped during the rounds. */
  staleWritesDropped: number;
  hung: number;
  unexpectedErrors: string[];
}

const CARD = AgentCard.fromJSON({
  name: 'race agent',
  description: 'races send, stream and cancel on one task',
  version: '1.0.0',
  capabilities: { streaming: true, pushNotifications: false },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
});

/** Drains a stream, handing its first task snapshot to `onTask` and counting to `onEvent`. */
async function drain(
  stream: AsyncGenerator<StreamResponse>,
  onTask: (task: Task) => void = () => {},
  onEvent: (count: number) => void = () => {},
): Promise<void> {
  let count = 0;
  for await (const event of stream) {
    if (count === 0 && event.payload?.$case === 'task') onTask(event.payload.value);
    onEvent(++count);
  }
}

function finishedWithoutResult(error: unknown): boolean {
  return (
    // Matched by name: the SDK's server bundle may carry its own copy of the A2AError class.
    errorName(error).endsWith('A2AError') &&
    String((error as Error).message).startsWith('Agent execution finished without a result')
  );
}

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? 'unknown';
}

/**
 * `rounds` times, through the SDK's `DefaultRequestHandler`: starts a streaming task, then at a
 * random moment cancels it while a second client sends a follow-up on the same task (a blocking
 * send or a stream, in random order). A watcher reads the task from the store throughout; once it
 * has seen a terminal state, any other state read later is a regression.
 */
export async function runHandlerRaces(options: HandlerRaceOptions): Promise<HandlerRaceFigures> {
  const { taskStore, random } = options;
  const executor = new RaceExecutor(STEPS, random, MAX_PAUSE_MS);
  const handler = new DefaultRequestHandler(CARD, taskStore, executor);
  const context = callContext(randomScope());
  const staleBefore = options.staleWritesDropped();
  const figures: HandlerRaceFigures = {
    seed: random.seed,
    rounds: options.rounds,
    finalCanceled: 0,
    finalCompleted: 0,
    finalNotTerminal: 0,
    roundsWithRegression: 0,
    observations: 0,
    cancelAccepted: 0,
    cancelRefused: 0,
    cancelReplyMismatches: 0,
    followUpsAccepted: 0,
    followUpsRefused: 0,
    followUpsWithoutResult: 0,
    staleWritesDropped: 0,
    hung: 0,
    unexpectedErrors: [],
  };
  const unexpected = (what: string, error: unknown) =>
    figures.unexpectedErrors.push(`${what}: ${errorName(error)}: ${(error as Error)?.message}`);

  for (let round = 0; round < options.rounds; round++) {
    let onTask!: (task: Task) => void;
    const started = new Promise<Task>((resolve) => {
      onTask = resolve;
    });
    // The random moment: after the k-th event of the stream (task, steps, artifact, completed),
    // so it falls anywhere in the run whatever the store's latency.
    const cancelAfterEvents = random.int(1, STEPS + 3);
    let onMoment!: () => void;
    const moment = new Promise<void>((resolve) => {
      onMoment = resolve;
    });
    const streamed = drain(
      handler.sendMessageStream(sendRequest('', userMessage('work')), context),
      onTask,
      (count) => {
        if (count >= cancelAfterEvents) onMoment();
      },
    );
    const task = await Promise.race([
      started,
      streamed.then(() => Promise.reject(new Error('stream ended without a task'))),
    ]);

    let watching = true;
    let terminalSeen: TaskState | undefined;
    let regressed = false;
    const watcher = (async () => {
      while (watching) {
        const state = (await taskStore.load(task.id, context))?.status?.state;
        figures.observations++;
        if (terminalSeen !== undefined && state !== terminalSeen) regressed = true;
        if (terminalSeen === undefined && state !== undefined && isTerminalState(state)) {
          terminalSeen = state;
        }
        // Lets timers run between reads even when the store answers synchronously (SQLite).
        await yieldToLoop();
      }
    })();
    // Awaited below; marked handled now, so a read failing before then is not an unhandled
    // rejection that ends the process (the failure still surfaces at `await watcher`).
    watcher.catch(() => {});

    await Promise.race([moment, streamed.catch(() => {})]);
    await delay(random.int(0, MAX_PAUSE_MS));
    const cancelFirst = random.next() < 0.5;
    const followUpStreams = random.next() < 0.5;
    const followUp = () =>
      followUpStreams
        ? drain(
            handler.sendMessageStream(
              sendRequest('', userMessage('more', { taskId: task.id, contextId: task.contextId })),
              context,
            ),
          )
        : handler.sendMessage(
            sendRequest('', userMessage('more', { taskId: task.id, contextId: task.contextId })),
            context,
          );
    const cancel = () =>
      handler.cancelTask({ tenant: '', id: task.id, metadata: undefined }, context);
    let cancelCall: Promise<Task>;
    let followUpCall: Promise<unknown>;
    if (cancelFirst) {
      cancelCall = cancel();
      followUpCall = followUp();
    } else {
      followUpCall = followUp();
      cancelCall = cancel();
    }
    const [cancelled, followed, stream] = await Promise.all([
      settleWithin(cancelCall, CALL_LIMIT_MS),
      settleWithin(followUpCall, CALL_LIMIT_MS),
      settleWithin(streamed, CALL_LIMIT_MS),
    ]);
    await waitFor('the executor to finish its runs', async () => executor.idle, CALL_LIMIT_MS);
    watching = false;
    await watcher;

    const final = (await taskStore.load(task.id, context))?.status?.state;
    if (final === TaskState.TASK_STATE_CANCELED) figures.finalCanceled++;
    else if (final === TaskState.TASK_STATE_COMPLETED) figures.finalCompleted++;
    else figures.finalNotTerminal++;
    if (terminalSeen !== undefined && final !== terminalSeen) regressed = true;
    if (regressed) figures.roundsWithRegression++;

    for (const outcome of [cancelled, followed, stream])
      if (outcome.status === 'hung') figures.hung++;
    if (cancelled.status === 'fulfilled') {
      figures.cancelAccepted++;
      if (final !== TaskState.TASK_STATE_CANCELED) figures.cancelReplyMismatches++;
    } else if (cancelled.status === 'rejected') {
      if (errorName(cancelled.error) === 'TaskNotCancelableError') {
        figures.cancelRefused++;
        if (final !== TaskState.TASK_STATE_COMPLETED) figures.cancelReplyMismatches++;
      } else unexpected('cancel', cancelled.error);
    }
    if (followed.status === 'fulfilled') figures.followUpsAccepted++;
    else if (followed.status === 'rejected') {
      if (errorName(followed.error) === 'UnsupportedOperationError') figures.followUpsRefused++;
      else if (finishedWithoutResult(followed.error)) figures.followUpsWithoutResult++;
      else unexpected('follow-up', followed.error);
    }
    if (stream.status === 'rejected') unexpected('stream', stream.error);
  }
  figures.staleWritesDropped = options.staleWritesDropped() - staleBefore;
  return figures;
}
