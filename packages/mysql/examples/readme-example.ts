import type { AgentCard, Task } from '@a2a-js/sdk';
import {
  type AgentExecutor,
  DefaultRequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import { defaultScopeResolver, ScopeGuardRequestHandler } from '@a2a-stores/core';
import { createMysqlStores } from '@a2a-stores/mysql';

// One resolver for the stores and the guard, so the guard refuses what the stores would.
const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
// The stores create (and on close() end) this pool, in strict SQL mode.
const stores = createMysqlStores(
  { uri: process.env.DATABASE_URL ?? 'mysql://app@127.0.0.1:3306/agents' },
  { tablePrefix: 'a2a_', scopeResolver },
);

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  // Creates or upgrades the schema; idempotent, safe from several workers at once.
  await stores.migrate();
  // Refuses anonymous callers (HTTP 401 on REST), bad tenants and messages to a busy task as
  // client errors before the executor runs.
  return new ScopeGuardRequestHandler(
    new DefaultRequestHandler(
      card,
      stores.taskStore,
      executor,
      undefined,
      stores.pushNotificationStore,
    ),
    { scopeResolver, taskStore: stores.taskStore },
  );
}

// A business write and a task save that commit or roll back together.
export async function recordOrder(orderId: string, task: Task, context: ServerCallContext) {
  const connection = await stores.pool.getConnection();
  try {
    await connection.beginTransaction();
    await connection.execute('INSERT INTO orders (id, task_id) VALUES (?, ?)', [orderId, task.id]);
    await stores.withConnection(connection).taskStore.save(task, context);
    await connection.commit();
  } catch (error) {
    await connection.rollback();
    throw error;
  } finally {
    connection.release();
  }
}

// On shutdown: ends the pool created above (never a pool you passed in).
export const shutdown = () => stores.close();
