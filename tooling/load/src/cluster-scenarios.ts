import { type StreamResponse, type Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { sendRequest as buildSend, userMessage } from '@a2a-stores/test-backends';
import { sendRequest } from './a2a.js';
import type { ClusterHookReceiver } from './cluster-hooks.js';

/** The calls of the multi-worker mix; each crosses workers where it can. */
export const CLUSTER_OPERATIONS = [
  'send',
  'stream',
  'subscribe-elsewhere',
  'cancel-elsewhere',
  'follow-up-elsewhere',
  'get-elsewhere',
] as const;
export type ClusterOperation = (typeof CLUSTER_OPERATIONS)[number];

// Weights (sum 100): every cross-worker path (relayed events, routed cancel, follow-up on
// another worker, push once) is in it, and a webhook on a third of the tasks.
const WEIGHTS: Readonly<Record<ClusterOperation, number>> = {
  send: 20,
  stream: 15,
  'subscribe-elsewhere': 20,
  'cancel-elsewhere': 15,
  'follow-up-elsewhere': 10,
  'get-elsewhere': 20,
};
const PUSH_SHARE = 1 / 3;
const LONG_TASK = 'long report, steps: 100';
// Long enough (40 steps) for the subscription on the other worker to join while it runs.
const WATCHED_TASK = 'watched report, steps: 40';
const KNOWN_KEPT = 100;

/** Counts and failures of one run, shared by its clients. */
export class ClusterTally {
  readonly ok = new Map<ClusterOperation, number>();
  readonly failed = new Map<ClusterOperation, number>();
  /** A few failure messages per operation, for the report. */
  readonly samples = new Map<ClusterOperation, string[]>();
  /** Every task the clients created, with the client that may read it. */
  readonly tasks: { id: string; client: Client }[] = [];
  calls = 0;

  succeed(operation: ClusterOperation): void {
    this.ok.set(operation, (this.ok.get(operation) ?? 0) + 1);
  }

  fail(operation: ClusterOperation, error: unknown): void {
    this.failed.set(operation, (this.failed.get(operation) ?? 0) + 1);
    const list = this.samples.get(operation) ?? [];
    if (list.length < 3) list.push(error instanceof Error ? error.message : String(error));
    this.samples.set(operation, list);
  }

  failures(): number {
    return [...this.failed.values()].reduce((sum, count) => sum + count, 0);
  }
}

/** One simulated client: one user, one SDK client per worker. */
export interface ClusterClient {
  readonly perWorker: readonly Client[];
  readonly random: () => number;
  /** Ids of tasks this client created (its user's scope), for reads through other workers. */
  readonly known: string[];
}

export interface ClusterLoadContext {
  readonly tally: ClusterTally;
  readonly hooks: ClusterHookReceiver;
  readonly tenant: string;
  /** `performance.now()` after which no new scenario starts. */
  readonly deadline: number;
}

function stateName(state: TaskState | undefined): string {
  return state === undefined ? 'none' : taskStateToJSON(state);
}

function expectState(task: Task | undefined, expected: TaskState, what: string): Task {
  if (!task || task.status?.state !== expected) {
    throw new Error(
      `${what}: task is ${stateName(task?.status?.state)}, expected ${stateName(expected)}`,
    );
  }
  return task;
}

function asTask(result: unknown, what: string): Task {
  if (!result || typeof result !== 'object' || !('status' in result)) {
    throw new Error(`${what}: expected a task`);
  }
  return result as Task;
}

/** The final state a stream reached: its last status update, or its only snapshot. */
function lastState(events: readonly StreamResponse[]): TaskState | undefined {
  const payload = events.at(-1)?.payload;
  if (payload?.$case === 'statusUpdate') return payload.value.status?.state;
  if (payload?.$case === 'task') return payload.value.status?.state;
  return undefined;
}

async function collect(stream: AsyncGenerator<StreamResponse>): Promise<StreamResponse[]> {
  const events: StreamResponse[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function pick(random: () => number): ClusterOperation {
  let roll = random() * 100;
  for (const operation of CLUSTER_OPERATIONS) {
    roll -= WEIGHTS[operation];
    if (roll < 0) return operation;
  }
  return 'get-elsewhere';
}

/** Two different workers' clients, chosen at random. */
function twoWorkers(client: ClusterClient): [Client, Client] {
  const count = client.perWorker.length;
  const first = Math.floor(client.random() * count);
  const second = (first + 1 + Math.floor(client.random() * (count - 1))) % count;
  return [client.perWorker[first] as Client, client.perWorker[second] as Client];
}

async function runOnce(
  operation: ClusterOperation,
  ctx: ClusterLoadContext,
  client: ClusterClient,
): Promise<void> {
  const { tenant, tally } = ctx;
  const [here, there] = twoWorkers(client);
  const createsTask = operation !== 'get-elsewhere';
  const pushUrl = createsTask && client.random() < PUSH_SHARE ? ctx.hooks.newHookUrl() : undefined;
  const started = (text: string, returnImmediately: boolean) =>
    here.sendMessage(sendRequest(tenant, text, { returnImmediately, pushUrl }));
  const created = (id: string) => {
    tally.tasks.push({ id, client: here });
    client.known.push(id);
    if (client.known.length > KNOWN_KEPT) client.known.shift();
  };
  try {
    switch (operation) {
      case 'send': {
        const task = expectState(
          asTask(await started('report', false), operation),
          TaskState.TASK_STATE_COMPLETED,
          operation,
        );
        created(task.id);
        return;
      }
      case 'stream': {
        const events = await collect(
          here.sendMessageStream(sendRequest(tenant, 'report', { pushUrl })),
        );
        const first = events[0]?.payload;
        if (first?.$case === 'task') created(first.value.id);
        if (lastState(events) !== TaskState.TASK_STATE_COMPLETED) {
          throw new Error(`stream ended ${stateName(lastState(events))}`);
        }
        return;
      }
      case 'subscribe-elsewhere': {
        const task = asTask(await started(WATCHED_TASK, true), operation);
        created(task.id);
        const events = await collect(there.resubscribeTask({ tenant, id: task.id }));
        if (lastState(events) !== TaskState.TASK_STATE_COMPLETED) {
          throw new Error(`subscription ended ${stateName(lastState(events))}`);
        }
        return;
      }
      case 'cancel-elsewhere': {
        const task = asTask(await started(LONG_TASK, true), operation);
        created(task.id);
        const canceled = await there.cancelTask({ tenant, id: task.id, metadata: undefined });
        expectState(canceled, TaskState.TASK_STATE_CANCELED, operation);
        return;
      }
      case 'follow-up-elsewhere': {
        const asked = expectState(
          asTask(await started('ask me, then write a report', false), operation),
          TaskState.TASK_STATE_INPUT_REQUIRED,
          operation,
        );
        created(asked.id);
        const answer = userMessage('Grace', { taskId: asked.id, contextId: asked.contextId });
        try {
          const done = await there.sendMessage(buildSend(tenant, answer));
          expectState(asTask(done, operation), TaskState.TASK_STATE_COMPLETED, operation);
        } catch (error) {
          // The scenario failed (counted), but a task left waiting for an answer nobody sends
          // would also count as non-terminal: end it, so that check means a stuck execution.
          await here
            .cancelTask({ tenant, id: asked.id, metadata: undefined })
            .catch(() => undefined);
          throw error;
        }
        return;
      }
      case 'get-elsewhere': {
        const known = client.known[Math.floor(client.random() * client.known.length)];
        if (!known) return;
        // A task read through another worker than the one it ran on (maybe still running).
        const task = await there.getTask({ tenant, id: known });
        if (task.id !== known) throw new Error(`asked for ${known}, got ${task.id}`);
        return;
      }
    }
  } catch (error) {
    if (pushUrl) ctx.hooks.forgetHook(pushUrl);
    throw error;
  } finally {
    tally.calls += 1;
  }
}

/** Runs scenarios back to back until the deadline. */
export async function runClusterClient(
  ctx: ClusterLoadContext,
  client: ClusterClient,
): Promise<void> {
  while (performance.now() < ctx.deadline) {
    const operation = pick(client.random);
    try {
      await runOnce(operation, ctx, client);
      ctx.tally.succeed(operation);
    } catch (error) {
      ctx.tally.fail(operation, error);
    }
  }
}
