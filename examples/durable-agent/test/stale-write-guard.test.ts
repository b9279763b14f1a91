import { type Message, type Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import {
  AgentEvent,
  InMemoryTaskStore,
  ResultManager,
  ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { setPassportVerification } from '@a2a-stores/passport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BearerUser } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { agentMessage } from '../src/messages.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { agentStoreOptions } from '../src/store-options.js';
import { type OpenedStores, openStores, parseStoreUrl } from '../src/stores-from-url.js';
import { textOf, userMessage } from './support/a2a-client.js';

// The race the stale-write guard exists for, replayed deterministically with the SDK's own
// ResultManager: a follow-up turn on an input-required task has its first event (a task snapshot
// in WORKING) still queued when a concurrent cancel saves CANCELED. The follow-up's manager then
// saves its older snapshot. Both managers run the SDK's code; only the interleaving is fixed.
const TENANT = 'tenant-name-that-must-not-be-logged';
const OWNER = 'owner-name-that-must-not-be-logged';

const opened: OpenedStores[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const stores of opened.splice(0)) await stores.bundle.close();
});

// The agent's scope resolver reads what PassportRequestHandler recorded; these calls bypass the
// handler, so they record "no passport" themselves, as the handler would for a bearer-only call.
function context(): ServerCallContext {
  const ctx = new ServerCallContext({ user: new BearerUser(OWNER), tenant: TENANT });
  setPassportVerification(ctx, { status: 'absent' });
  return ctx;
}

async function replayFollowUpRacingCancel(
  store: TaskStore,
): Promise<{ final: Task | undefined; followUp: Promise<void> }> {
  // The SDK warns (console) when its own status guard drops the follow-up's later events.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const first = userMessage('ask me, then write a report');
  const taskId = 'task-1';
  const contextId = 'context-1';
  const ask = new ResultManager(store, context());
  ask.setContext(first);
  await ask.processEvent(
    AgentEvent.task({
      id: taskId,
      contextId,
      status: {
        state: TaskState.TASK_STATE_SUBMITTED,
        message: undefined,
        timestamp: new Date().toISOString(),
      },
      history: [first],
      artifacts: [],
      metadata: undefined,
    }),
  );
  await ask.processEvent(
    statusEvent(taskId, contextId, TaskState.TASK_STATE_INPUT_REQUIRED, 'Who is it for?'),
  );
  const parked = (await store.load(taskId, context())) as Task;

  const answer: Message = userMessage('Ada', { taskId, contextId });
  const followUp = new ResultManager(store, context());
  followUp.setContext(answer);
  const snapshot: Task = {
    ...parked,
    history: [...parked.history, answer],
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: new Date().toISOString(),
    },
  };

  const cancel = new ResultManager(store, context());
  await cancel.processEvent(
    statusEvent(taskId, contextId, TaskState.TASK_STATE_CANCELED, 'Canceled.'),
  );
  const followUpDone = followUp.processEvent(AgentEvent.task(snapshot));
  await followUpDone.catch(() => {});
  return { final: await store.load(taskId, context()), followUp: followUpDone };
}

function statusEvent(taskId: string, contextId: string, state: TaskState, text: string) {
  return AgentEvent.statusUpdate({
    taskId,
    contextId,
    status: {
      state,
      message: agentMessage(taskId, contextId, text),
      timestamp: new Date().toISOString(),
    },
    metadata: undefined,
  });
}

async function sqliteStores(overrides: { staleWrites?: 'ignore' | 'throw' } = {}) {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));
  const stores = await openStores(parseStoreUrl('sqlite::memory:', ''), {
    ...agentStoreOptions(logger, createAgentPushUrlPolicy(false)),
    ...overrides,
  });
  opened.push(stores);
  return { store: stores.bundle.taskStore, lines };
}

describe('stale-write guard under the SDK ResultManager', () => {
  it("the SDK's own InMemoryTaskStore lets the late snapshot move a canceled task back to working", async () => {
    const { final } = await replayFollowUpRacingCancel(new InMemoryTaskStore());
    expect(final?.status?.state).toBe(TaskState.TASK_STATE_WORKING);
  });

  it("the agent's store (staleWrites 'ignore') keeps it canceled and reports the drop at debug level", async () => {
    const { store, lines } = await sqliteStores();
    const { final, followUp } = await replayFollowUpRacingCancel(store);
    // The manager's call succeeds, so the SDK's send, stream and cancel flows carry on.
    await expect(followUp).resolves.toBeUndefined();
    expect(final?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(textOf(final?.history.at(-1)?.parts ?? [])).toBe('Canceled.');
    const stale = lines.filter((line) => line.includes('stale task write dropped'));
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatch(/^\[durable-agent\] debug: /);
    expect(stale[0]).toContain(taskStateToJSON(TaskState.TASK_STATE_CANCELED));
    expect(stale[0]).toContain(taskStateToJSON(TaskState.TASK_STATE_WORKING));
    for (const line of lines) {
      expect(line).not.toContain(TENANT);
      expect(line).not.toContain(OWNER);
    }
  });

  it("with staleWrites 'throw' the same save fails the SDK's event processing (why the agent ignores)", async () => {
    const { store } = await sqliteStores({ staleWrites: 'throw' });
    const { final, followUp } = await replayFollowUpRacingCancel(store);
    await expect(followUp).rejects.toMatchObject({ name: 'StaleWriteError', code: 'STALE_WRITE' });
    expect(final?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });
});
