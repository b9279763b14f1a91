import { randomUUID } from 'node:crypto';
import {
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import { ServerCallContext, type User } from '@a2a-js/sdk/server';
import type { PushDeliveryEvent } from '../../src/index.js';

class TestUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

/** A call in a fresh scope, optionally over a given A2A wire version. */
export function freshContext(requestedVersion?: string): ServerCallContext {
  return new ServerCallContext({
    tenant: `tenant-${randomUUID()}`,
    user: new TestUser(`owner-${randomUUID()}`),
    ...(requestedVersion === undefined ? {} : { requestedVersion }),
  });
}

export function makeTask(id = `task-${randomUUID()}`): Task {
  return {
    id,
    contextId: `ctx-${randomUUID()}`,
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: '2024-01-15T12:00:00.000Z',
    },
    artifacts: [],
    history: [],
    metadata: { note: 'unicode ✓' },
  };
}

/** A status-update event of `task` (the notification the SDK sends most). */
export function statusUpdate(task: Task, state = TaskState.TASK_STATE_COMPLETED): StreamResponse {
  return {
    payload: {
      $case: 'statusUpdate',
      value: {
        taskId: task.id,
        contextId: task.contextId,
        status: { state, message: undefined, timestamp: '2024-01-15T12:00:05.000Z' },
        metadata: undefined,
      },
    },
  };
}

export function pushConfig(
  taskId: string,
  url: string,
  overrides: Partial<TaskPushNotificationConfig> = {},
): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: `cfg-${randomUUID()}`,
    taskId,
    url,
    token: `token-${randomUUID()}`,
    authentication: { scheme: 'Bearer', credentials: `credential-${randomUUID()}` },
    ...overrides,
  };
}

/** Collects delivery events, and lets a test wait for the n-th one. */
export function deliveryLog() {
  const events: PushDeliveryEvent[] = [];
  return {
    events,
    onDelivery: (event: PushDeliveryEvent) => void events.push(event),
  };
}

/** A logger that keeps messages (to prove no secret is logged). */
export function captureLogger() {
  const messages: string[] = [];
  return {
    messages,
    warn: (message: string, details?: Record<string, unknown>) =>
      void messages.push(message + (details ? JSON.stringify(details) : '')),
  };
}
