import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import { createRedisStores } from '@a2a-stores/redis';

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  const stores = createRedisStores(
    { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    {
      anonymous: 'reject',
      // Finished tasks (and their push configs) expire one day after their last write.
      finishedTaskTtl: 24 * 60 * 60 * 1000,
    },
  );
  // Checks the server version (6.2+) and stamps the key format; idempotent.
  await stores.migrate();

  const handler = new DefaultRequestHandler(
    card,
    stores.taskStore,
    executor,
    undefined,
    stores.pushNotificationStore,
  );
  // Call close() on shutdown: it quits the connection this factory opened.
  return { handler, close: () => stores.close() };
}
