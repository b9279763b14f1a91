import type { AgentCard, Task } from '@a2a-js/sdk';
import {
  type AgentExecutor,
  DefaultRequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import { defaultScopeResolver, ScopeGuardRequestHandler } from '@a2a-stores/core';
import { createPostgresStores } from '@a2a-stores/postgres';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
pool.on('error', () => {}); // a broken idle connection is dropped by the pool; calls report errors

// One resolver for the stores and the guard, so the guard refuses what the stores would.
const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
const stores = createPostgresStores({ pool }, { schema: 'public', scopeResolver });

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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO orders (id, task_id) VALUES ($1, $2)', [orderId, task.id]);
    await stores.withClient(client).taskStore.save(task, context);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

// On shutdown: end the pool you created (close() never ends a pool you passed in); until then
// its idle connections keep the process alive.
export const shutdown = () => pool.end();
