import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import { defaultScopeResolver, ScopeGuardRequestHandler } from '@a2a-stores/core';
import { createSqliteStores } from '@a2a-stores/sqlite';

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  // The file is created with mode 0600; WAL and synchronous=FULL are switched on.
  // One resolver for the stores and the guard, so the guard refuses what the stores would.
  const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
  const stores = createSqliteStores({ filename: './data/a2a.db' }, { scopeResolver });
  // Creates or upgrades the schema; idempotent, safe from several processes at once.
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
  // Call close() on shutdown: it closes the file this factory opened.
  return { handler, close: () => stores.close() };
}
