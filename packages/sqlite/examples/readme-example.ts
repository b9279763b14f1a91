import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import { createSqliteStores } from '@a2a-stores/sqlite';

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  // The file is created with mode 0600; WAL and synchronous=FULL are switched on.
  const stores = createSqliteStores({ filename: './data/a2a.db' }, { anonymous: 'reject' });
  // Creates or upgrades the schema; idempotent, safe from several processes at once.
  await stores.migrate();

  const handler = new DefaultRequestHandler(
    card,
    stores.taskStore,
    executor,
    undefined,
    stores.pushNotificationStore,
  );
  // Call close() on shutdown: it closes the file this factory opened.
  return { handler, close: () => stores.close() };
}
