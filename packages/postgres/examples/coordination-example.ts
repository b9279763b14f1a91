import { randomUUID } from 'node:crypto';
import { createPostgresCoordination, createPostgresStores } from '@a2a-stores/postgres';
import pg from 'pg';

export async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  pool.on('error', () => {});
  await createPostgresStores({ pool }).migrate(); // also creates the leases and spill tables
  const coordination = createPostgresCoordination({
    pool, // the stores' pool: leases and NOTIFY go through it
    // listenConnectionString: process.env.DATABASE_DIRECT_URL, // when the pool goes through PgBouncer
  });
  coordination.onChannelState?.((state) => console.log(`channel ${state}`));

  // A lease: one worker runs the task; the others see who, and until when.
  const lease = {
    key: `example-${randomUUID()}`,
    scope: { tenant: 'acme', owner: 'alice' },
    taskId: 'task-1',
    holder: 'worker-a',
    token: randomUUID(),
  };
  const taken = await coordination.acquireLease(lease, 30_000);
  console.log(taken.acquired ? 'worker-a runs task-1' : 'someone else runs task-1');

  // A message to every subscriber of the channel, on any worker (this one included).
  let heard!: (message: string) => void;
  const delivered = new Promise<string>((resolve) => {
    heard = resolve;
  });
  const stop = await coordination.subscribe('task-1', (message) => heard(message));
  await coordination.publish('task-1', 'progress: 50%');
  console.log(await delivered);
  await stop();

  await coordination.releaseLease(lease.key, lease.holder, lease.token);
  await coordination.close(); // ends the LISTEN connection, never your pool
  await pool.end();
}
