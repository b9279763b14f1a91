import { type Task, TaskState } from '@a2a-js/sdk';
import { ServerCallContext, type User } from '@a2a-js/sdk/server';
import { createMemoryStores, createPushUrlPolicy, VersionConflictError } from '@a2a-stores/core';

/** Whatever your authentication middleware produces; the default resolver reads `userName`. */
class SignedInUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

export async function main(): Promise<void> {
  const { taskStore, pushNotificationStore, close } = createMemoryStores({
    anonymous: 'reject', // unauthenticated calls throw ScopeResolutionError
    hooks: { onStaleWrite: (event) => console.warn('late write dropped for', event.taskId) },
    // Webhook URLs are checked before anything is stored: https, and every address the host
    // resolves to must be public. The fixed answer keeps this example offline (hooks.example.com
    // does not resolve); without `resolver`, the system's DNS answers.
    pushUrlCheck: createPushUrlPolicy({ resolver: async () => ['93.184.215.14'] }),
  });

  const alice = new ServerCallContext({ tenant: 'acme', user: new SignedInUser('alice') });
  const bob = new ServerCallContext({ tenant: 'acme', user: new SignedInUser('bob') });

  const task: Task = {
    id: 'task-1',
    contextId: 'ctx-1',
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: new Date().toISOString(),
    },
    artifacts: [],
    history: [],
    metadata: undefined,
  };
  await taskStore.save(task, alice);
  console.log(await taskStore.load('task-1', bob)); // undefined: another owner's task looks missing

  // Optimistic concurrency: write only if nobody wrote since we read.
  const current = await taskStore.loadVersioned('task-1', alice);
  if (current) {
    const done = { ...task, status: { ...task.status!, state: TaskState.TASK_STATE_COMPLETED } };
    try {
      await taskStore.saveIfVersion(done, alice, current.version);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }

  const config = {
    tenant: '',
    id: '',
    taskId: 'task-1',
    url: 'https://hooks.example.com/a2a',
    token: 't',
    authentication: undefined,
  };
  await pushNotificationStore.save('task-1', alice, config);
  console.log(config.id); // assigned in place

  const page = await taskStore.list(
    {
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
      pageSize: 10,
    },
    alice,
  );
  console.log(page.totalSize, page.nextPageToken);

  // Retention: drop finished tasks (and their push configs) older than 30 days, every scope.
  await taskStore.purge({ olderThan: new Date(Date.now() - 30 * 86_400_000) });
  await close();
}
