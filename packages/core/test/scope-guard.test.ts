import { AgentCard, type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import { RequestMalformedError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  type RequestContext,
  ServerCallContext,
  UnauthenticatedUser,
} from '@a2a-js/sdk/server';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticatedTestUser } from '../src/conformance/index.js';
import {
  createMemoryStores,
  defaultScopeResolver,
  FollowUpRefusedError,
  ScopeGuardRequestHandler,
  ScopeRefusedError,
  ScopeResolutionError,
} from '../src/index.js';

/** Publishes `working`, then waits for the test to let it reach input-required. */
class HeldExecutor implements AgentExecutor {
  calls = 0;
  readonly #release = new Map<string, () => void>();

  execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    this.calls += 1;
    const { taskId, contextId } = request;
    const base: Task = request.task ?? {
      id: taskId,
      contextId,
      status: undefined,
      history: [request.userMessage],
      artifacts: [],
      metadata: undefined,
    };
    bus.publish(AgentEvent.task({ ...base, status: status(TaskState.TASK_STATE_WORKING) }));
    await new Promise<void>((resolve) => this.#release.set(taskId, resolve));
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: status(TaskState.TASK_STATE_INPUT_REQUIRED),
        metadata: undefined,
      }),
    );
  };

  cancelTask = async (): Promise<void> => {};

  finish(taskId: string): void {
    const release = this.#release.get(taskId);
    this.#release.delete(taskId);
    release?.();
  }

  finishAll(): void {
    for (const taskId of [...this.#release.keys()]) this.finish(taskId);
  }
}

function status(state: TaskState) {
  return { state, message: undefined, timestamp: new Date().toISOString() };
}

function message(text: string, taskId = ''): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId,
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function send(text: string, taskId = '', returnImmediately = false) {
  return {
    tenant: '',
    message: message(text, taskId),
    configuration: returnImmediately
      ? {
          acceptedOutputModes: [],
          taskPushNotificationConfig: undefined,
          historyLength: undefined,
          returnImmediately: true,
        }
      : undefined,
    metadata: undefined,
  };
}

const card = AgentCard.fromJSON({
  name: 'guard test',
  description: 'test',
  version: '1',
  capabilities: { streaming: true, pushNotifications: false },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
  supportedInterfaces: [],
});

const executors: HeldExecutor[] = [];
afterEach(() => {
  for (const executor of executors.splice(0)) executor.finishAll();
});

function setup() {
  const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
  const stores = createMemoryStores({ scopeResolver });
  const executor = new HeldExecutor();
  executors.push(executor);
  const inner = new DefaultRequestHandler(card, stores.taskStore, executor);
  const handler = new ScopeGuardRequestHandler(inner, {
    scopeResolver,
    taskStore: stores.taskStore,
  });
  return { handler, inner, executor, stores };
}

const user = (tenant: unknown = 'acme') =>
  new ServerCallContext({ tenant: tenant as string, user: new AuthenticatedTestUser('carol') });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('ScopeGuardRequestHandler: scope', () => {
  it('refuses an anonymous call under anonymous: reject before the executor runs, as a 401-on-REST client error', async () => {
    const { handler, inner, executor } = setup();
    const anonymous = new ServerCallContext({ tenant: 'acme', user: new UnauthenticatedUser() });
    const error = await rejectionOf(handler.sendMessage(send('hi'), anonymous));
    expect(error).toBeInstanceOf(ScopeRefusedError);
    expect(error).toBeInstanceOf(RequestMalformedError);
    expect(error).toMatchObject({
      name: 'RequestMalformedError',
      code: 'SCOPE_UNRESOLVED',
      failure: 'unauthenticated',
      transport: 'rest',
      statusCode: 401,
    });
    expect(executor.calls).toBe(0);
    // Without the guard the SDK's handler starts the executor before the store refuses.
    const unguarded = await rejectionOf(inner.sendMessage(send('hi'), anonymous));
    expect(unguarded).toBeInstanceOf(ScopeResolutionError);
    expect(executor.calls).toBe(1);
  });

  it.each([
    ['NUL', '\u0000'],
    ['over 255 characters', 't'.repeat(256)],
    ['a lone surrogate', '\ud800'],
    ['a number', 5],
    ['an object', { a: 1 }],
  ])('refuses a tenant that is %s as invalid params on every call', async (_, tenant) => {
    const { handler, executor } = setup();
    const errors = [
      await rejectionOf(handler.sendMessage(send('hi'), user(tenant))),
      await rejectionOf(
        handler.getTask({ tenant: '', id: 'x', historyLength: undefined }, user(tenant)),
      ),
      await rejectionOf(
        handler.cancelTask({ tenant: '', id: 'x', metadata: undefined }, user(tenant)),
      ),
      await rejectionOf(
        handler.sendMessageStream(send('hi'), user(tenant)).next() as Promise<unknown>,
      ),
      await rejectionOf(
        handler.resubscribe({ tenant: '', id: 'x' }, user(tenant)).next() as Promise<unknown>,
      ),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ScopeRefusedError);
      expect(error).toMatchObject({ name: 'RequestMalformedError', failure: 'invalid' });
      expect((error as ScopeRefusedError).transport).toBeUndefined();
    }
    expect(executor.calls).toBe(0);
  });

  it('answers a ScopeResolutionError a store throws later as the same client error', async () => {
    let calls = 0;
    // Accepts the guard's call, refuses the store's: a resolver whose answer changed in between.
    const flaky = () => {
      calls += 1;
      if (calls > 1) throw new ScopeResolutionError('changed its mind', 'unauthenticated');
      return { tenant: 't', owner: 'o' };
    };
    const stores = createMemoryStores({ scopeResolver: flaky });
    const handler = new ScopeGuardRequestHandler(
      new DefaultRequestHandler(card, stores.taskStore, new HeldExecutor()),
      { scopeResolver: flaky, taskStore: stores.taskStore },
    );
    const error = await rejectionOf(
      handler.getTask({ tenant: '', id: 'x', historyLength: undefined }, user()),
    );
    expect(error).toBeInstanceOf(ScopeRefusedError);
    expect(error).toMatchObject({ failure: 'unauthenticated', statusCode: 401 });
  });

  it('serves a valid caller unchanged', async () => {
    const { handler, executor } = setup();
    const first = await handler.sendMessage(send('hi', '', true), user());
    expect((first as Task).status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(executor.calls).toBe(1);
    const listed = await handler.listTasks(
      {
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageSize: 10,
        pageToken: '',
        historyLength: undefined,
        statusTimestampAfter: undefined,
        includeArtifacts: false,
      },
      user(),
    );
    expect(listed.tasks.map((t) => t.id)).toEqual([(first as Task).id]);
  });

  it('checks its options', () => {
    const { inner, stores } = setup();
    expect(() => new ScopeGuardRequestHandler(inner, {} as never)).toThrow(TypeError);
    expect(
      () =>
        new ScopeGuardRequestHandler(inner, {
          scopeResolver: defaultScopeResolver(),
          taskStore: stores.taskStore,
          followUps: 'sometimes' as never,
        }),
    ).toThrow(TypeError);
  });
});

describe('ScopeGuardRequestHandler: follow-ups', () => {
  it('refuses a message to a working task without re-entering the executor, admits the answer once it waits for input', async () => {
    const { handler, executor, stores } = setup();
    const stream = handler.sendMessageStream(send('start'), user());
    const first = await stream.next();
    const task = first.value?.payload?.$case === 'task' ? first.value.payload.value : undefined;
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    const taskId = task?.id as string;

    const refused = await rejectionOf(handler.sendMessage(send('more', taskId), user()));
    expect(refused).toBeInstanceOf(FollowUpRefusedError);
    expect(refused).toBeInstanceOf(UnsupportedOperationError);
    expect(refused).toMatchObject({ name: 'UnsupportedOperationError', code: 'FOLLOW_UP_REFUSED' });
    expect(executor.calls).toBe(1);
    // Nothing was appended to the task.
    expect((await stores.taskStore.load(taskId, user()))?.history).toHaveLength(1);

    executor.finish(taskId);
    const waiting = await stream.next();
    expect(
      waiting.value?.payload?.$case === 'statusUpdate' && waiting.value.payload.value.status?.state,
    ).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    await stream.return(undefined);

    // Two answers at once: exactly one is admitted.
    const answers = await Promise.allSettled([
      handler.sendMessage(send('answer 1', taskId, true), user()),
      handler.sendMessage(send('answer 2', taskId, true), user()),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = answers.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(FollowUpRefusedError);
    expect(executor.calls).toBe(2);
    // Working again: the next message is refused.
    expect(await rejectionOf(handler.sendMessage(send('again', taskId), user()))).toBeInstanceOf(
      FollowUpRefusedError,
    );
    expect(executor.calls).toBe(2);
  });

  it("a missing task is the inner handler's TaskNotFound, and followUps: 'any' keeps the SDK's behaviour", async () => {
    const { inner, executor, stores } = setup();
    const handler = new ScopeGuardRequestHandler(inner, {
      scopeResolver: defaultScopeResolver({ anonymous: 'reject' }),
      taskStore: stores.taskStore,
      followUps: 'any',
    });
    const missing = await rejectionOf(handler.sendMessage(send('x', 'no-such-task'), user()));
    expect(missing).toMatchObject({ name: 'TaskNotFoundError' });
    const first = (await handler.sendMessage(send('start', '', true), user())) as Task;
    await handler.sendMessage(send('more', first.id, true), user());
    expect(executor.calls).toBe(2);
  });
});
