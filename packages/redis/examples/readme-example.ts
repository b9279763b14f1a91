import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import { defaultScopeResolver, ScopeGuardRequestHandler } from '@a2a-stores/core';
import { createRedisStores } from '@a2a-stores/redis';

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  // One resolver for the stores and the guard, so the guard refuses what the stores would.
  const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
  const stores = createRedisStores(
    { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    {
      scopeResolver,
      // Finished tasks (and their push configs) expire one day after their last write.
      finishedTaskTtl: 24 * 60 * 60 * 1000,
    },
  );
  // Checks the server version (6.2+) and stamps the key format; idempotent.
  await stores.migrate();

  // Refuses anonymous callers (HTTP 401 on REST), bad tenants and messages to a busy task as
  // client errors before the executor runs.
  const handler = new ScopeGuardRequestHandler(
    new DefaultRequestHandler(
      card,
      stores.taskStore,
      executor,
      undefined,
      stores.pushNotificationStore,
    ),
    { scopeResolver, taskStore: stores.taskStore },
  );
  // Call close() on shutdown: it quits the connection this factory opened.
  return { handler, close: () => stores.close() };
}
