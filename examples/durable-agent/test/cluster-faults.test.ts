import { TaskState } from '@a2a-js/sdk';
import { waitFor } from '@a2a-stores/test-backends';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  getTask,
  labelOf,
  newTenant,
  sendForTask,
  sendRequest,
  userMessage,
} from './support/a2a-client.js';
import { runningTasks, useCluster } from './support/cluster-fixture.js';
import { CLUSTER_STORES } from './support/cluster-stores.js';

// The coordination channel of real agent processes lost and regained: PostgreSQL's LISTEN
// connections of the cluster's own database terminated (nothing else on the server is touched).
// Local calls keep working throughout; cross-worker cancel and subscribe work again without a
// restart. (The typed 503 answered while the channel is down is asserted in-process, where the
// outage can be held open: test/cluster-errors.test.ts.)
const postgres = CLUSTER_STORES.find((kind) => kind.name === 'postgres');
if (!postgres) throw new Error('no postgres cluster store');

/** Terminates the LISTEN sessions on `url`'s database; resolves with how many there were. */
async function terminateListeners(url: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
      [database],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('cluster on postgres: the LISTEN connections killed', () => {
  const cluster = useCluster(postgres, ['A', 'B']);

  it('local calls keep working, and cross-worker cancel and subscribe recover without a restart', async () => {
    const tenant = newTenant();
    const onA = await cluster.as('A', ALICE);
    const onB = await cluster.as('B', ALICE);
    const running = await onA.sendMessage(
      sendRequest(tenant, userMessage('write a long report, steps: 100'), {
        returnImmediately: true,
      }),
    );
    if (!('status' in running)) throw new Error('expected a task');

    const killed = await terminateListeners(cluster.storeUrl());
    expect(killed).toBeGreaterThanOrEqual(2);

    // Served by B alone: a whole task, start to end.
    const local = await sendForTask(onB, tenant, userMessage('report, steps: 2'));
    expect(local.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    // Cancel through B reaches A's executor once the channel is back (a refusal meanwhile is
    // the documented 503, retried here).
    let canceledState: TaskState | undefined;
    await waitFor(
      'a cancel through B to reach A',
      async () => {
        try {
          const answer = await onB.cancelTask({ tenant, id: running.id, metadata: undefined });
          canceledState = answer.status?.state;
          return true;
        } catch (error) {
          if ((error as Error).message.includes('retry later')) return false;
          throw error;
        }
      },
      20_000,
    );
    expect(canceledState).toBe(TaskState.TASK_STATE_CANCELED);
    await waitFor('A to stop the run', async () => (await runningTasks(cluster.worker('A'))) === 0);
    expect((await getTask(onB, tenant, running.id)).status?.state).toBe(
      TaskState.TASK_STATE_CANCELED,
    );

    // Events cross again: a subscription through B follows a task running on A to its end.
    const next = await onA.sendMessage(
      sendRequest(tenant, userMessage('report, steps: 10'), { returnImmediately: true }),
    );
    if (!('status' in next)) throw new Error('expected a task');
    const labels: string[] = [];
    for await (const event of onB.resubscribeTask({ tenant, id: next.id })) {
      labels.push(labelOf(event));
    }
    expect(labels.filter((label) => label === 'status:WORKING').length).toBeGreaterThan(0);
    expect(labels.at(-1)).toBe('status:COMPLETED');
  }, 60_000);
});
