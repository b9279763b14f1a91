import type { AgentCard, Task } from '@a2a-js/sdk';
import {
  type AgentExecutor,
  DefaultRequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import { createMysqlStores } from '@a2a-stores/mysql';

// The stores create (and on close() end) this pool, in strict SQL mode.
const stores = createMysqlStores(
  { uri: process.env.DATABASE_URL ?? 'mysql://app@127.0.0.1:3306/agents' },
  { tablePrefix: 'a2a_', anonymous: 'reject' },
);

export async function createDurableHandler(card: AgentCard, executor: AgentExecutor) {
  // Creates or upgrades the schema; idempotent, safe from several workers at once.
  await stores.migrate();
  return new DefaultRequestHandler(
    card,
    stores.taskStore,
    executor,
    undefined,
    stores.pushNotificationStore,
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
