import { type Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { pushConfig } from '@a2a-stores/test-backends';
import { sendRequest } from './a2a.js';
import { type Recorder, UnexpectedResultError } from './recorder.js';
import type { LoadWebhookReceiver } from './webhook-receiver.js';

/** What every client of one run shares. */
export interface LoadContext {
  readonly recorder: Recorder;
  readonly receiver: LoadWebhookReceiver;
  /** One tenant per run: every client of a user shares its scope, so lists see everyone's writes. */
  readonly tenant: string;
  /** `performance.now()` after which no new scenario starts. */
  readonly deadline: number;
  readonly maxRequests: number;
  /** Per-call abort: a call that hangs is a failure, and the run still ends. */
  readonly callTimeoutMs: number;
  /** Ids of the tasks each user created: a list of one user showing another's id is a leak. */
  readonly idsByUser: ReadonlyMap<string, Set<string>>;
}

/** One client: an SDK client of one user, and the finished tasks it created, with their state. */
export interface LoadClient {
  readonly client: Client;
  readonly user: string;
  readonly otherUser: string;
  readonly random: () => number;
}

interface KnownTask {
  readonly id: string;
  readonly state: TaskState;
}

// Weights of the scenarios (sum 100). Reads dominate, as for a real agent's clients; every
// write path of the stores (new task, status updates, artifact, cancel, push config) is in it.
const WEIGHTS = {
  send: 20,
  sendWithPush: 5,
  stream: 15,
  get: 20,
  list: 15,
  cancel: 10,
  push: 15,
} as const;
type ScenarioName = keyof typeof WEIGHTS;

// A client remembers this many of its finished tasks for get and push; older ones are dropped.
const KNOWN_TASKS_KEPT = 200;
const LIST_PAGE_SIZE = 20;
const LIST_MAX_PAGES = 3;
// The cancel scenario's task works 100 steps: it is surely still running when cancel arrives.
const LONG_TASK = 'long report, steps: 100';

function stateName(state: TaskState | undefined): string {
  return state === undefined ? 'none' : taskStateToJSON(state);
}

function expectState(what: string, task: Task, expected: TaskState): void {
  if (task.status?.state !== expected) {
    throw new UnexpectedResultError(
      what,
      `task ${task.id} is ${stateName(task.status?.state)}, expected ${stateName(expected)}`,
    );
  }
}

function pickScenario(random: () => number): ScenarioName {
  let roll = random() * 100;
  for (const [name, weight] of Object.entries(WEIGHTS) as [ScenarioName, number][]) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return 'get';
}

/** A small deterministic PRNG (mulberry32), so a run's mix is reproducible per client. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs scenarios back to back until the deadline or the request cap. Every answer is checked
 * (state, ids, paging, scope), so a fast wrong answer counts as a failure, not as throughput.
 */
export async function runClient(ctx: LoadContext, load: LoadClient): Promise<void> {
  const known: KnownTask[] = [];
  const remember = (task: KnownTask) => {
    known.push(task);
    ctx.idsByUser.get(load.user)?.add(task.id);
    if (known.length > KNOWN_TASKS_KEPT) known.shift();
  };
  const options = () => ({ signal: AbortSignal.timeout(ctx.callTimeoutMs) });
  const { client, recorder, tenant } = { ...load, ...ctx };

  while (performance.now() < ctx.deadline && recorder.callCount < ctx.maxRequests) {
    let scenario = pickScenario(load.random);
    // Reads need a task of this client's first.
    if ((scenario === 'get' || scenario === 'push') && known.length === 0) scenario = 'send';
    const someTask = () => known[Math.floor(load.random() * known.length)]!;

    switch (scenario) {
      case 'send': {
        const task = await recorder.time('send', async () => {
          const result = await client.sendMessage(sendRequest(tenant, 'write a report'), options());
          if (!('status' in result)) throw new UnexpectedResultError('send', 'answered a message');
          expectState('send', result, TaskState.TASK_STATE_COMPLETED);
          if (result.artifacts[0]?.artifactId !== 'report') {
            throw new UnexpectedResultError('send', `task ${result.id} has no report artifact`);
          }
          return result;
        });
        if (task) remember({ id: task.id, state: TaskState.TASK_STATE_COMPLETED });
        break;
      }
      case 'sendWithPush': {
        const pushUrl = ctx.receiver.newHookUrl();
        const task = await recorder.time('send+push', async () => {
          const result = await client.sendMessage(
            sendRequest(tenant, 'write a report', { pushUrl }),
            options(),
          );
          if (!('status' in result)) throw new UnexpectedResultError('send', 'answered a message');
          expectState('send+push', result, TaskState.TASK_STATE_COMPLETED);
          return result;
        });
        if (task) remember({ id: task.id, state: TaskState.TASK_STATE_COMPLETED });
        else ctx.receiver.forgetHook(pushUrl);
        break;
      }
      case 'stream': {
        const id = await recorder.time('stream', async () => {
          let taskId = '';
          let last: TaskState | undefined;
          let events = 0;
          for await (const event of client.sendMessageStream(
            sendRequest(tenant, 'write a report'),
            options(),
          )) {
            events++;
            const payload = event.payload;
            if (payload?.$case === 'task') taskId = payload.value.id;
            if (payload?.$case === 'statusUpdate') last = payload.value.status?.state;
          }
          if (taskId === '' || last !== TaskState.TASK_STATE_COMPLETED) {
            throw new UnexpectedResultError(
              'stream',
              `${events} events, task "${taskId}", last status ${stateName(last)}`,
            );
          }
          return taskId;
        });
        if (id) remember({ id, state: TaskState.TASK_STATE_COMPLETED });
        break;
      }
      case 'get': {
        const wanted = someTask();
        await recorder.time('get', async () => {
          const task = await client.getTask({ tenant, id: wanted.id }, options());
          if (task.id !== wanted.id) {
            throw new UnexpectedResultError('get', `asked ${wanted.id}, got ${task.id}`);
          }
          expectState('get', task, wanted.state);
        });
        break;
      }
      case 'list':
        await listPages(ctx, load, options);
        break;
      case 'cancel': {
        const started = await recorder.time('send-async', async () => {
          const result = await client.sendMessage(
            sendRequest(tenant, LONG_TASK, { returnImmediately: true }),
            options(),
          );
          if (!('status' in result)) throw new UnexpectedResultError('send', 'answered a message');
          const state = result.status?.state;
          if (state !== TaskState.TASK_STATE_SUBMITTED && state !== TaskState.TASK_STATE_WORKING) {
            throw new UnexpectedResultError(
              'send-async',
              `task ${result.id} is ${stateName(state)}`,
            );
          }
          return result;
        });
        if (!started) break;
        const canceled = await recorder.time('cancel', async () => {
          const task = await client.cancelTask(
            { tenant, id: started.id, metadata: undefined },
            options(),
          );
          expectState('cancel', task, TaskState.TASK_STATE_CANCELED);
          return task;
        });
        if (canceled) remember({ id: canceled.id, state: TaskState.TASK_STATE_CANCELED });
        break;
      }
      case 'push': {
        const task = someTask();
        // A few ids per task: later creates replace earlier ones (and stay under the cap of 100).
        const id = `cfg-${Math.floor(load.random() * 4)}`;
        const url = ctx.receiver.untrackedHookUrl();
        const created = await recorder.time('push-create', async () => {
          const config = await client.createTaskPushNotificationConfig(
            pushConfig(tenant, task.id, id, url, `token-${id}`, false),
            options(),
          );
          if (config.id !== id || config.url !== url) {
            throw new UnexpectedResultError('push-create', `stored ${config.id} → ${config.url}`);
          }
          return config;
        });
        if (!created) break;
        await recorder.time('push-get', async () => {
          const config = await client.getTaskPushNotificationConfig(
            { tenant, taskId: task.id, id },
            options(),
          );
          // Only this client writes its tasks' configs, one call at a time: the url must be
          // the one it has just stored.
          if (config.url !== url) {
            throw new UnexpectedResultError('push-get', `${task.id}/${id} → ${config.url}`);
          }
        });
        break;
      }
    }
  }
}

/** Reads up to 3 pages, checking no task repeats, filters hold and nothing of the other user shows. */
async function listPages(
  ctx: LoadContext,
  load: LoadClient,
  options: () => { signal: AbortSignal },
): Promise<void> {
  const completedOnly = load.random() < 0.5;
  const status = completedOnly ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_UNSPECIFIED;
  const seen = new Set<string>();
  const foreign = ctx.idsByUser.get(load.otherUser) ?? new Set<string>();
  let pageToken = '';
  for (let page = 0; page < LIST_MAX_PAGES; page++) {
    const response = await ctx.recorder.time('list-page', async () => {
      const answer = await load.client.listTasks(
        {
          tenant: ctx.tenant,
          contextId: '',
          status,
          pageSize: LIST_PAGE_SIZE,
          pageToken,
          historyLength: 2,
          statusTimestampAfter: undefined,
          includeArtifacts: false,
        },
        options(),
      );
      if (answer.tasks.length > LIST_PAGE_SIZE) {
        throw new UnexpectedResultError('list', `${answer.tasks.length} tasks on one page`);
      }
      for (const task of answer.tasks) {
        if (seen.has(task.id)) throw new UnexpectedResultError('list', `${task.id} repeated`);
        if (foreign.has(task.id)) {
          throw new UnexpectedResultError('list', `${task.id} of the other user listed`);
        }
        if (completedOnly) expectState('list', task, TaskState.TASK_STATE_COMPLETED);
        if (task.history.length > 2 || task.artifacts.length > 0) {
          throw new UnexpectedResultError('list', `${task.id}: history or artifacts not trimmed`);
        }
        seen.add(task.id);
      }
      return answer;
    });
    if (!response || response.nextPageToken === '') return;
    pageToken = response.nextPageToken;
  }
}
