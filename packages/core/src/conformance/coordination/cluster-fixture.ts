import { randomUUID } from 'node:crypto';
import {
  type AgentCard,
  type Message,
  Role,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
} from '@a2a-js/sdk';
import {
  DefaultRequestHandler,
  InMemoryPushNotificationStore,
  type PushNotificationSender,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import {
  type Cluster,
  type ClusterRequestHandler,
  type CoordinationBackend,
  createCluster,
  createMemoryStores,
  defaultScopeResolver,
  type RecoveryPolicy,
  type StoreLogger,
} from '@a2a-stores/core';
import { type ClusterHarness, type ClusterTiming, DEFAULT_CLUSTER_TIMING } from './harness.js';
import { ScriptedExecutor } from './scripted-executor.js';

/** One push the inner (fake) sender of a worker was asked to make. */
export interface PushRecord {
  readonly response: StreamResponse;
  readonly task: Task | undefined;
}

/** One simulated agent process. */
export interface ClusterWorker {
  readonly name: string;
  readonly cluster: Cluster;
  readonly handler: ClusterRequestHandler;
  readonly executor: ScriptedExecutor;
  readonly backend: CoordinationBackend;
  /** What this worker's webhook sender was asked to POST (after the push-once filter). */
  readonly pushes: PushRecord[];
}

export interface ClusterFixture {
  readonly workers: ClusterWorker[];
  readonly taskStore: TaskStore;
  readonly timing: ClusterTiming;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly workers?: number;
  readonly timing?: ClusterTiming;
  /** The recovery policy of worker `index` (it may call back into `workers`). */
  readonly recovery?: (index: number, workers: ClusterWorker[]) => RecoveryPolicy;
  /** Receives every worker's warnings (default: dropped). */
  readonly logger?: StoreLogger;
  /** Extra cluster options of worker `index` (e.g. a custom `contextForScope`). */
  readonly clusterOptions?: (index: number) => Partial<Parameters<typeof createCluster>[0]>;
}

const CARD = {
  name: 'cluster conformance agent',
  description: 'scripted executor',
  version: '1.0.0',
  capabilities: { streaming: true, pushNotifications: true },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
} as unknown as AgentCard;

const quietLogger: StoreLogger = { warn: () => undefined };

/** Starts `workers` workers over backends from `harness`, sharing one task store. */
export async function startClusterFixture(
  harness: ClusterHarness,
  options: FixtureOptions = {},
): Promise<ClusterFixture> {
  const timing = options.timing ?? DEFAULT_CLUSTER_TIMING;
  const scopeResolver = defaultScopeResolver();
  const taskStore = harness.createTaskStore
    ? await harness.createTaskStore()
    : createMemoryStores({ scopeResolver }).taskStore;
  const pushStore = new InMemoryPushNotificationStore();
  const workers: ClusterWorker[] = [];
  const count = options.workers ?? 3;
  for (let index = 0; index < count; index += 1) {
    const backend = await harness.create();
    const name = String.fromCharCode(65 + index);
    const cluster = createCluster({
      backend,
      taskStore,
      scopeResolver,
      workerId: `${name}-${randomUUID()}`,
      leaseTtlMs: timing.leaseTtlMs,
      renewIntervalMs: timing.renewIntervalMs,
      sweepIntervalMs: timing.sweepIntervalMs,
      cancelTimeoutMs: timing.waitMs,
      logger: options.logger ?? quietLogger,
      // The workers array fills up as they start; a resume callback reads it when it runs.
      ...(options.recovery ? { recovery: options.recovery(index, workers) } : {}),
      ...options.clusterOptions?.(index),
    });
    const pushes: PushRecord[] = [];
    const fakeSender: PushNotificationSender = {
      send: async (response, _context, task) => {
        pushes.push({ response, task });
      },
    };
    const executor = new ScriptedExecutor();
    const handler = cluster.wrap(
      new DefaultRequestHandler(
        CARD,
        taskStore,
        executor,
        cluster.eventBusManager,
        pushStore,
        cluster.pushSender(fakeSender),
      ),
    );
    await cluster.start();
    workers.push({ name, cluster, handler, executor, backend, pushes });
  }
  return {
    workers,
    taskStore,
    timing,
    async close() {
      for (const worker of workers) await worker.cluster.close();
      for (const worker of workers) await worker.backend.close();
    },
  };
}

/** A user message; with `taskId`, a follow-up to that task. */
export function userMessage(text: string, taskId = '', contextId = ''): Message {
  return {
    role: Role.ROLE_USER,
    messageId: randomUUID(),
    taskId,
    contextId,
    parts: [
      {
        content: { $case: 'text', value: text },
        mediaType: 'text/plain',
        filename: '',
        metadata: {},
      },
    ],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  } as Message;
}

export function sendRequest(message: Message, returnImmediately = false): SendMessageRequest {
  return {
    tenant: '',
    message,
    configuration: returnImmediately
      ? ({
          acceptedOutputModes: [],
          taskPushNotificationConfig: undefined,
          returnImmediately,
        } as SendMessageRequest['configuration'])
      : undefined,
    metadata: {},
  };
}

/** A stream being consumed in the background; `done` never rejects (the error is kept). */
export interface Consumed {
  readonly events: StreamResponse[];
  readonly done: Promise<{ error?: unknown }>;
  finished: boolean;
}

export function consume(stream: AsyncGenerator<StreamResponse, void, undefined>): Consumed {
  const consumed: {
    events: StreamResponse[];
    done: Promise<{ error?: unknown }>;
    finished: boolean;
  } = {
    events: [],
    done: Promise.resolve({}),
    finished: false,
  };
  consumed.done = (async () => {
    try {
      for await (const event of stream) consumed.events.push(event);
      return {};
    } catch (error) {
      return { error };
    } finally {
      consumed.finished = true;
    }
  })();
  return consumed;
}

/** The task state a stream event carries, if any. */
export function stateOf(event: StreamResponse | undefined): number | undefined {
  const payload = event?.payload;
  if (payload?.$case === 'task') return payload.value.status?.state;
  if (payload?.$case === 'statusUpdate') return payload.value.status?.state;
  return undefined;
}

/** A comparable signature of a stream event: kind, state and status text. */
export function signature(event: StreamResponse): string {
  const payload = event.payload;
  if (payload?.$case === 'statusUpdate') {
    const part = payload.value.status?.message?.parts?.[0]?.content;
    return `status:${payload.value.status?.state}:${part?.$case === 'text' ? part.value : ''}`;
  }
  if (payload?.$case === 'task') return `task:${payload.value.status?.state}`;
  return String(payload?.$case);
}

export function textOf(event: StreamResponse | undefined): string | undefined {
  const payload = event?.payload;
  if (payload?.$case !== 'statusUpdate') return undefined;
  const part = payload.value.status?.message?.parts?.[0]?.content;
  return part?.$case === 'text' ? part.value : undefined;
}

/** Starts a streaming task on `worker` and waits until its executor runs and it holds the lease. */
export async function startTask(
  worker: ClusterWorker,
  context: ServerCallContext,
  waitFor: (condition: () => boolean | Promise<boolean>, what: string) => Promise<void>,
): Promise<{ taskId: string; stream: Consumed }> {
  const before = worker.executor.runs.length;
  const stream = consume(worker.handler.sendMessageStream(sendRequest(userMessage('go')), context));
  await waitFor(
    () => worker.executor.runs.length > before && stream.events.length >= 1,
    `the task to start on ${worker.name}`,
  );
  const taskId = worker.executor.runs[before]!.taskId;
  await waitFor(async () => {
    const lease = await worker.cluster.describeLease(taskId, context);
    return lease?.self === true && lease.live;
  }, `${worker.name} to hold the lease`);
  return { taskId, stream };
}
