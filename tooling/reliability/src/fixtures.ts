// The light fixtures of the write load. The SQLite crash child imports them, so they stay clear
// of `@a2a-stores/core/conformance` (which loads vitest: seconds per child start).
import { randomUUID } from 'node:crypto';
import { type Task, type TaskPushNotificationConfig, TaskState } from '@a2a-js/sdk';
import { ServerCallContext, type User } from '@a2a-js/sdk/server';
import { type CoreStoreOptions, createPushUrlPolicy, type Scope } from '@a2a-stores/core';
import { userMessage } from '@a2a-stores/test-backends';

/** The host of every webhook URL the load registers; nothing is ever sent to it. */
const WEBHOOK_HOST = 'hooks.example.com';
/** A public address (example.com's) the load's resolver answers for {@link WEBHOOK_HOST}. */
const WEBHOOK_ADDRESS = '93.184.215.14';

/**
 * Core options of every store this suite opens: the strict push URL policy with a resolver that
 * needs no DNS (and answers only the load's webhook host), and a logger that stays quiet.
 */
export function suiteStoreOptions(overrides: CoreStoreOptions = {}): CoreStoreOptions {
  return {
    pushUrlCheck: createPushUrlPolicy({
      resolver: async (hostname) => (hostname === WEBHOOK_HOST ? [WEBHOOK_ADDRESS] : []),
    }),
    logger: { warn: () => {} },
    ...overrides,
  };
}

class NamedUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

/** The call context the default scope resolver maps to `scope` (an authenticated owner). */
export function scopeContext(scope: Scope): ServerCallContext {
  return new ServerCallContext({ tenant: scope.tenant, user: new NamedUser(scope.owner) });
}

/** A working task with one user message and the given metadata. */
export function loadTask(id: string, metadata: Record<string, unknown>): Task {
  const contextId = `ctx-${id}`;
  return {
    id,
    contextId,
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: new Date().toISOString(),
    },
    history: [userMessage(`work for ${id}`, { messageId: `${id}-m0`, contextId, taskId: id })],
    artifacts: [],
    metadata,
  };
}

/** A push config `id` of `taskId`, with a token and bearer credentials. */
export function loadPushConfig(taskId: string, id: string): TaskPushNotificationConfig {
  return {
    tenant: '',
    id,
    taskId,
    url: `https://${WEBHOOK_HOST}/a2a/${id}`,
    token: `token-${randomUUID()}`,
    authentication: { scheme: 'Bearer', credentials: `secret-${randomUUID()}` },
  };
}
