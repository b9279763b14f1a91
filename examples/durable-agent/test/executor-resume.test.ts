import { Role, type Task, TaskState } from '@a2a-js/sdk';
import {
  type AgentExecutionEvent,
  DefaultExecutionEventBus,
  RequestContext,
  ServerCallContext,
} from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import { DemoExecutor, PLAN_METADATA_KEY, storedStep } from '../src/executor.js';
import { createLogger } from '../src/logger.js';
import { agentMessage, textOf } from '../src/messages.js';

function label(event: AgentExecutionEvent): string {
  switch (event.kind) {
    case 'statusUpdate':
      return `${event.data.status?.state}:${textOf(event.data.status?.message)}`;
    case 'task':
      return `task:${event.data.status?.state}`;
    case 'artifactUpdate':
      return `artifact:${event.data.artifact?.artifactId}`;
    default:
      return event.kind;
  }
}

async function run(executor: DemoExecutor, task: Task): Promise<AgentExecutionEvent[]> {
  const bus = new DefaultExecutionEventBus();
  const events: AgentExecutionEvent[] = [];
  bus.on('event', (event) => events.push(event));
  // What the cluster's resume policy makes the SDK do: a message on the still-working task.
  const message = agentMessage(task.id, task.contextId, 'Resume');
  const request = new RequestContext(
    {
      tenant: 't',
      message: { ...message, role: Role.ROLE_USER },
      configuration: undefined,
      metadata: undefined,
    },
    task.id,
    task.contextId,
    new ServerCallContext({ tenant: 't' }),
    task,
  );
  await executor.execute(request, bus);
  return events;
}

function workingTask(metadata: Record<string, unknown>): Task {
  const user = { ...agentMessage('task-1', 'ctx-1', 'report, steps: 4'), role: Role.ROLE_USER };
  return {
    id: 'task-1',
    contextId: 'ctx-1',
    status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: '' },
    history: [user],
    artifacts: [],
    metadata,
  };
}

describe('the demo executor keeps the step reached and resumes from it', () => {
  const executor = () =>
    new DemoExecutor({ stepMs: 0, defaultSteps: 3, logger: createLogger('warn') });

  it('records the plan and the step in each working update', async () => {
    const events = await run(
      executor(),
      workingTask({ [PLAN_METADATA_KEY]: { steps: 2, ask: false } }),
    );
    const steps = events
      .filter((event) => event.kind === 'statusUpdate' && event.data.metadata)
      .map((event) => (event.kind === 'statusUpdate' ? event.data.metadata : undefined));
    expect(steps).toEqual([
      { [PLAN_METADATA_KEY]: { steps: 2, ask: false, step: 1 } },
      { [PLAN_METADATA_KEY]: { steps: 2, ask: false, step: 2 } },
    ]);
  });

  it('a working task at step 2 of 4 runs steps 3 and 4 only, then completes', async () => {
    const task = workingTask({ [PLAN_METADATA_KEY]: { steps: 4, ask: false, step: 2 } });
    expect(storedStep(task)).toBe(2);
    const events = await run(executor(), task);
    expect(events.map(label)).toEqual([
      `task:${TaskState.TASK_STATE_WORKING}`,
      `${TaskState.TASK_STATE_WORKING}:Step 3/4: checking facts`,
      `${TaskState.TASK_STATE_WORKING}:Step 4/4: polishing`,
      'artifact:report',
      `${TaskState.TASK_STATE_COMPLETED}:Report ready.`,
    ]);
  });

  it('ignores a step it cannot trust and starts over', async () => {
    for (const step of [-1, 1.5, 'two', undefined]) {
      expect(storedStep(workingTask({ [PLAN_METADATA_KEY]: { steps: 2, ask: false, step } }))).toBe(
        0,
      );
    }
  });
});
